package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The byte parser against the JDK's correctly rounded {@link Float#parseFloat}, bit for bit. */
class FloatParserTest {

    private static float parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return FloatParser.parse(b, 0, b.length);
    }

    private static void assertSame(String s) {
        float expected = Float.parseFloat(s);
        float actual = parse(s);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), s);
    }

    @Test
    void agreesWithTheJdkOnRandomDecimals() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 300_000; i++) {
            String s = switch (i % 6) {
                case 0 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(-12, 12)));
                case 1 -> String.format(Locale.ROOT, "%.6f", random.nextGaussian());
                case 2 -> Float.toString((float) random.nextDouble(-1e6, 1e6));
                case 3 -> Long.toString(random.nextLong(-(1L << 40), 1L << 40));
                case 4 -> random.nextInt(1, 1 << 20) + "e" + random.nextInt(-45, 39);
                default -> randomDigits(random);
            };
            if (Float.isFinite(Float.parseFloat(s))) {
                assertSame(s);
            }
        }
    }

    private static String randomDigits(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(1, 25);
        for (int k = 0; k < n; k++) {
            sb.append((char) ('0' + random.nextInt(10)));
        }
        sb.insert(random.nextInt(0, n + 1), '.');
        if (sb.length() == 1) {
            sb.append('1');
        }
        return sb.toString();
    }

    @Test
    void midpointsAndEdges() {
        // 2^24 + 1 lies halfway between two floats: ties go to even.
        for (String s : new String[] {"16777217", "16777219", "33554435", "0.1", "1e-45", "1.4e-45", "3.4028235e38",
                "-0", "+.5", "1.", "007", "1E+05", "9007199254740993", "1.00000005960464477539062500000001",
                "0.000000000000000000000000000000000000011754942807573643", "123456789012345678901234567890"}) {
            assertSame(s);
        }
    }

    @Test
    void notNumbers() {
        for (String s : new String[] {"", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "NaN", "Infinity", "0x1p3", "1f",
                "1d", "1e39", "--1", "1 2", "١"}) {
            assertTrue(Float.isNaN(parse(s)), s);
        }
    }
}
