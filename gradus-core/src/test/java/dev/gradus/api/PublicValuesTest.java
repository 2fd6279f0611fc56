package dev.gradus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Table;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.optim.Optimizer;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Java user of the library sees: value types that print readably, a row-major table
 * factory beside the column-major one, and a library that prints nothing itself.
 */
class PublicValuesTest {
    /** {@code [D@68be2bc2}: an array printed by Object.toString. */
    private static final Pattern ARRAY_IDENTITY = Pattern.compile("\\[+[A-Z][A-Za-z.;]*@[0-9a-f]+");

    @TempDir
    Path dir;

    private static Path mainClasses() throws Exception {
        return Path.of(Table.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<Class<?>> publicClasses() throws Exception {
        Path root = mainClasses();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName(name, false, PublicValuesTest.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }

    @Test
    void everyPublicRecordHoldingAnArrayPrintsItsValues() throws Exception {
        List<String> defaults = new ArrayList<>();
        int checked = 0;
        for (Class<?> c : publicClasses()) {
            if (!c.isRecord()) {
                continue;
            }
            boolean arrays = false;
            for (RecordComponent rc : c.getRecordComponents()) {
                String type = rc.getGenericType().getTypeName();
                arrays |= rc.getType().isArray() || type.contains("[]");
            }
            if (arrays) {
                checked++;
                try {
                    c.getDeclaredMethod("toString");
                } catch (NoSuchMethodException e) {
                    defaults.add(c.getName());
                }
            }
        }
        assertTrue(checked >= 4, "found the records with arrays: " + checked);
        assertEquals(List.of(), defaults, "records whose generated toString would print [D@… for an array");
    }

    @Test
    void metricsPrintTheirNumbers() {
        RegressionMetrics r = RegressionMetrics.of(List.of("y", "z"), new float[] {1, 2, 3, 4}, new float[] {1, 2, 3, 5},
                2);
        assertEquals("RegressionMetrics[y: rmse=0.0, mae=0.0, r2=1.0; z: rmse=0.7071067811865476, mae=0.5, r2=0.5]",
                r.toString());
        ClassificationMetrics c = ClassificationMetrics.of(List.of("a", "b"), new int[] {0, 1, 1}, new int[] {0, 1, 0},
                null);
        assertTrue(c.toString().contains("confusion=[[1, 0], [1, 1]]") && c.toString().contains("recall=[1.0, 0.5]"),
                c.toString());
        Optimizer.Snapshot s = new Optimizer.Snapshot(Map.of("m", new float[3]), Map.of(), Map.of("step", new long[1]));
        assertEquals("Snapshot[m][][step]", s.toString());
        for (Object o : List.of(r, c, s)) {
            assertFalse(ARRAY_IDENTITY.matcher(o.toString()).find(), o.toString());
        }
    }

    @Test
    void rowsAndColumnsGiveTheSameTable() {
        Table byColumn = Table.ofNumbers("t", List.of("a", "b", "y"),
                new float[][] {{0, 0, 1, 1}, {0, 1, 0, 1}, {0, 1, 1, 0}});
        Table byRow = Table.ofRows("t", List.of("a", "b", "y"),
                new float[][] {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}});
        assertEquals(byColumn, byRow);
        assertEquals(4, byRow.rows());
        assertEquals("1", byRow.text(2, 0));
    }

    @Test
    void theLibraryNeverWritesToStdoutOrStderr() throws IOException {
        // Outside comments, no System.out or System.err in the library's sources.
        Path sources = Path.of("src/main/java");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                        continue;
                    }
                    if (code.replaceAll("//.*", "").matches(".*System\\s*\\.\\s*(out|err)\\b.*")) {
                        offenders.add(f + ":" + (i + 1) + ": " + code);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    /** Starts the kernels without the Vector API module, as a user's JVM might. */
    public static void main(String[] args) throws Exception {
        Class.forName("dev.gradus.kernel.Engine");
    }

    private String plainJvm(String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(flags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PublicValuesTest.class.getName()));
        Path err = dir.resolve("err" + flags.length + ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(err));
        return Files.readString(err);
    }

    @Test
    void theNoSimdNoticeGoesThroughSystemLogger() throws Exception {
        String logged = plainJvm();
        assertTrue(logged.contains("WARNING") && logged.contains("matrix products run without SIMD"),
                "java.util.logging shows the notice by default:\n" + logged);
        Path config = Files.writeString(dir.resolve("logging.properties"), "dev.gradus.kernel.level = OFF\n"
                + "handlers = java.util.logging.ConsoleHandler\n");
        assertEquals("", plainJvm("-Djava.util.logging.config.file=" + config), "a user's logging setup silences it");
    }
}
