package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's first Java program, compiled and run exactly as printed there. */
class ReadmeExampleTest {

    @AfterEach
    void removeModel() throws Exception {
        Files.deleteIfExists(Path.of("iris.gradus"));
    }

    @Test
    void firstProgram() throws Exception {
        // BEGIN README
        Table train = Csv.read(Path.of("data/iris_train.csv"));
        Table test = Csv.read(Path.of("data/iris_test.csv"));
        ModelSpec spec = ModelSpec.classification("label")   // gradus train's defaults, except
                .withHidden(List.of(16));                    // one hidden layer of 16 (--layers 16)
        Model model = Model.fit(train, spec).model();
        System.out.println("test accuracy " + model.classificationMetrics(test).accuracy());
        model.save(Path.of("iris.gradus"));
        Model loaded = Model.load(Path.of("iris.gradus"));
        String[] labels = loaded.predict(test).labels();   // "0", "1" or "2" per test row
        // END README
        assertEquals(test.rows(), labels.length);
        assertTrue(model.classificationMetrics(test).accuracy() >= 0.85);
    }

    @Test
    void readmeShowsExactlyThisCode() throws Exception {
        String source = Files.readString(Path.of("gradus-cli/src/test/java/dev/gradus/cli/ReadmeExampleTest.java"));
        String body = source.substring(source.indexOf("// BEGIN README") + "// BEGIN README".length(),
                source.indexOf("        // END README"));
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("<!-- first-program -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has a ```java block after <!-- first-program -->");
        assertEquals(normalise(body), normalise(m.group(1)));
    }

    private static String normalise(String code) {
        return String.join("\n", code.strip().lines().map(String::strip).toList());
    }
}
