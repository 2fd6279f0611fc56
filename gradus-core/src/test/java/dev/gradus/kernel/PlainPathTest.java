package dev.gradus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Without the Vector API module: the plain path runs, says so once, and never loads the Vector API class. */
class PlainPathTest {

    @Test
    void withoutTheModuleThePlainPathRunsWithOneHint() throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(javaBin.toString(), "-Xlog:class+load=info",
                "-cp", System.getProperty("java.class.path"), PlainPathProbe.class.getName()))
                .redirectErrorStream(false)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out + err);
        assertTrue(out.contains("engine=plain(") && out.contains(" ok"), out);
        assertTrue(out.contains("dev.gradus.kernel.PlainGemm"), "class-load log should list PlainGemm");
        assertFalse(out.contains("dev.gradus.kernel.VectorGemm"), "VectorGemm must not be loaded");
        assertFalse(out.contains("jdk.incubator.vector"), "no Vector API class must be loaded");
        String hint = "add --add-modules jdk.incubator.vector";
        assertEquals(1, err.split(Pattern.quote(hint), -1).length - 1, err);
    }
}
