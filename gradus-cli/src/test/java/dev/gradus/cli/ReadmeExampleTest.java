package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.optim.Sgd;
import dev.gradus.train.TrainingOptions;
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
        ModelSpec spec = ModelSpec.classification("label")
                .withHidden(List.of(16))
                .withTraining(TrainingOptions.defaults().withOptimizer(new Sgd(0.1)).withEpochs(200));
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

    @Test
    void readmeImportsAreExactlyThoseTheProgramUses() throws Exception {
        String source = Files.readString(Path.of("gradus-cli/src/test/java/dev/gradus/cli/ReadmeExampleTest.java"));
        String body = source.substring(source.indexOf("// BEGIN README"), source.indexOf("        // END README"));
        String readme = Files.readString(Path.of("README.md"));
        Matcher block = Pattern.compile("<!-- first-program-imports -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(block.find(), "README.md lists the program's imports");
        java.util.Set<String> shown = new java.util.TreeSet<>(block.group(1).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList());
        java.util.Set<String> used = new java.util.TreeSet<>();
        Matcher imports = Pattern.compile("(?m)^import ([\\w.]+\\.(\\w+));$").matcher(source);
        while (imports.find()) {
            if (Pattern.compile("\\b" + imports.group(2) + "\\b").matcher(body).find()) {
                used.add("import " + imports.group(1) + ";");
            }
        }
        assertEquals(used, shown);
    }

    @Test
    void readmeGivesTheLibrarysMavenCoordinates() throws Exception {
        String pom = Files.readString(Path.of("gradus-core/pom.xml"));
        String version = pom.replaceAll("(?s).*<parent>.*?<version>([^<]+)</version>.*", "$1");
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("<groupId>dev.gradus</groupId>\n  <artifactId>gradus-core</artifactId>\n  <version>"
                + version + "</version>"), "README.md names dev.gradus:gradus-core:" + version);
        assertTrue(readme.contains("mvn -B -DskipTests install"), "and how to install it");
    }

    private static String normalise(String code) {
        return String.join("\n", code.strip().lines().map(String::strip).toList());
    }
}
