package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz regression: thousands of random corruptions of a valid file (bit flips,
 * truncations, header-length edits, digit edits inside the JSON, inserted and deleted bytes).
 * {@link ModelFile#read} must either load the file or throw {@link ModelFileException}:
 * never another exception, never an out-of-memory error, never a hang.
 */
class ModelFileFuzzTest {

    private static final int MUTATIONS = 4000;

    @TempDir
    Path dir;

    @Test
    void corruptedFilesFailOnlyWithModelFileException() throws IOException {
        Network net = Network.input(3).dense(4, Activation.parse("leaky_relu(0.1)")).dense(2, Activation.TANH)
                .dense(1, Activation.IDENTITY).build(3);
        Path file = dir.resolve("fuzz.safetensors");
        ModelFile.write(file, net, Map.of("classes", "[\"a\",\"b\"]"));
        byte[] valid = Files.readAllBytes(file);
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();

        SplittableRandom random = new SplittableRandom(20240611L);
        Set<String> problems = new HashSet<>();
        int loaded = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] mutated = valid;
            int edits = 1 + random.nextInt(3);
            StringBuilder how = new StringBuilder();
            for (int k = 0; k < edits; k++) {
                mutated = mutate(mutated, headerEnd, random, how);
            }
            Files.write(file, mutated);
            try {
                ModelFile.read(file);
                loaded++;
            } catch (ModelFileException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                String kind = e.problem().replaceAll("'[^']*'", "'…'").replaceAll("[0-9]+", "N");
                problems.add(kind.substring(0, Math.min(25, kind.length())));
            } catch (Throwable t) {
                fail("mutation " + i + " (" + how + ") made read() throw " + t, t);
            }
        }
        // The fuzzer must reach deep into the checks, not stop at the first one every time.
        assertTrue(problems.size() >= 20, "only " + problems.size() + " kinds of problem reached: " + problems);
        assertTrue(loaded < MUTATIONS / 2, loaded + " of " + MUTATIONS + " corrupted files loaded");
    }

    private static byte[] mutate(byte[] file, int headerEnd, SplittableRandom random, StringBuilder how) {
        int headerBytes = Math.max(1, Math.min(headerEnd, file.length) - 8);
        switch (random.nextInt(8)) {
            case 0 -> {
                int at = random.nextInt(file.length);
                how.append("flip bit in byte ").append(at).append("; ");
                byte[] out = file.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1 -> {
                int at = Math.min(file.length - 1, 8 + random.nextInt(headerBytes));
                how.append("flip header bit in byte ").append(at).append("; ");
                byte[] out = file.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 2 -> {
                int length = random.nextInt(file.length + 1);
                how.append("truncate to ").append(length).append("; ");
                return Arrays.copyOf(file, length);
            }
            case 3 -> {
                if (file.length < 8) {
                    return file;
                }
                long h = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long edited = switch (random.nextInt(3)) {
                    case 0 -> h + random.nextInt(-16, 17);
                    case 1 -> random.nextLong();
                    default -> random.nextLong(1L << 25);
                };
                how.append("header length ").append(Long.toUnsignedString(edited)).append("; ");
                return SafetensorsBytes.withHeaderLength(file, edited);
            }
            case 4, 5 -> {
                // Rewrite one number inside the JSON (a shape or an offset, usually) and fix the
                // header length, so that the file gets past the JSON parser.
                if (file.length < 8) {
                    return file;
                }
                long h = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (h < 0 || h > file.length - 8) {
                    return file;   // an earlier edit broke the length; nothing to split
                }
                SafetensorsBytes parts = SafetensorsBytes.split(file);
                String header = parts.header;
                int at = random.nextInt(header.length());
                int digit = indexOfDigit(header, at);
                if (digit < 0) {
                    return file;
                }
                int end = digit;
                while (end < header.length() && Character.isDigit(header.charAt(end))) {
                    end++;
                }
                String[] choices = {"0", "1", "-1", "4", "2147483647", "2147483648", "9223372036854775807",
                    "99999999999999999999", String.valueOf(random.nextInt(200)), "1e3", "3.5"};
                String replacement = choices[random.nextInt(choices.length)];
                how.append("number at ").append(digit).append(" -> ").append(replacement).append("; ");
                return new SafetensorsBytes(header.substring(0, digit) + replacement + header.substring(end),
                        parts.data).assemble();
            }
            case 6 -> {
                int at = 8 + random.nextInt(headerBytes);
                how.append("delete byte ").append(at).append("; ");
                if (at >= file.length) {
                    return file;
                }
                byte[] out = new byte[file.length - 1];
                System.arraycopy(file, 0, out, 0, at);
                System.arraycopy(file, at + 1, out, at, file.length - at - 1);
                return out;
            }
            default -> {
                int at = Math.min(file.length, 8 + random.nextInt(headerBytes));
                byte inserted = "{}[],:\" 0x".getBytes(StandardCharsets.US_ASCII)[random.nextInt(10)];
                how.append("insert '").append((char) inserted).append("' at ").append(at).append("; ");
                byte[] out = new byte[file.length + 1];
                System.arraycopy(file, 0, out, 0, at);
                out[at] = inserted;
                System.arraycopy(file, at, out, at + 1, file.length - at);
                return out;
            }
        }
    }

    private static int indexOfDigit(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                // Back up to the start of the number.
                int start = i;
                while (start > 0 && Character.isDigit(s.charAt(start - 1))) {
                    start--;
                }
                return start;
            }
        }
        return -1;
    }
}
