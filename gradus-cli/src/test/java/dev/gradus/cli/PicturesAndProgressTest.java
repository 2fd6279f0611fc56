package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** Plots are valid images of the agreed size; progress is a bar on a terminal and plain lines elsewhere. */
class PicturesAndProgressTest {
    @TempDir
    Path dir;

    private static void assertPng(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is a readable PNG");
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(Plots.HEIGHT, image.getHeight());
        // Not blank: a chart has many distinct colours.
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 7) {
            for (int y = 0; y < image.getHeight(); y += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 5, "the picture has content, " + colours.size() + " colours");
    }

    private static void assertSvg(Path file) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Element svg = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        assertEquals("svg", svg.getTagName());
        assertEquals(Plots.WIDTH + "px", svg.getAttribute("width"));
        assertEquals(Plots.HEIGHT + "px", svg.getAttribute("height"));
    }

    @Test
    void learningCurvesConfusionHeatMapAndScatter() throws Exception {
        Path model = dir.resolve("m.gradus");
        Path curves = dir.resolve("curves.png");
        assertEquals(0, Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification",
                "--epochs", "20", "--quiet", "--plot", curves.toString(), "--out", model.toString()).code());
        assertPng(curves);
        Path heat = dir.resolve("confusion.svg");
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("wine_test.csv"),
                "--plot", heat.toString());
        assertEquals(0, evaluate.code(), evaluate.toString());
        assertSvg(heat);
        Path heatPng = dir.resolve("confusion.png");
        assertEquals(0, Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("wine_test.csv"),
                "--plot", heatPng.toString()).code());
        assertPng(heatPng);

        Path regression = dir.resolve("r.gradus");
        Path svgCurves = dir.resolve("curves.svg");
        assertEquals(0, Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--epochs", "10", "--quiet",
                "--plot", svgCurves.toString(), "--out", regression.toString()).code());
        assertSvg(svgCurves);
        Path scatter = dir.resolve("scatter.png");
        assertEquals(0, Cli.run("evaluate", "--model", regression.toString(), "--data", Cli.data("diabetes_test.csv"),
                "--plot", scatter.toString()).code());
        assertPng(scatter);
    }

    private static double luminance(int rgb) {
        return 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
    }

    /** Pixels of {@code cell} (inset by 2) whose luminance is below {@code below} or above {@code above}. */
    private static int[] darkAndLight(BufferedImage image, java.awt.Rectangle cell, double below, double above) {
        int dark = 0;
        int light = 0;
        for (int x = cell.x + 2; x < cell.x + cell.width - 2; x++) {
            for (int y = cell.y + 2; y < cell.y + cell.height - 2; y++) {
                double l = luminance(image.getRGB(x, y));
                dark += l < below ? 1 : 0;
                light += l > above ? 1 : 0;
            }
        }
        return new int[] {dark, light};
    }

    @Test
    void confusionHeatMapPutsClassZeroOnTopWithReadableCounts() throws Exception {
        // confusion = [[50, 0, 0], [0, 5, 0], [0, 1, 1]]: rows actual, columns predicted.
        int[] actual = new int[57];
        int[] predicted = new int[57];
        int i = 50;
        for (int r = 0; r < 5; r++, i++) {
            actual[i] = 1;
            predicted[i] = 1;
        }
        actual[55] = 2;
        predicted[55] = 1;
        actual[56] = 2;
        predicted[56] = 2;
        var m = dev.gradus.metrics.ClassificationMetrics.of(List.of("a", "b", "c"), actual, predicted, null);
        Path png = dir.resolve("heat.png");
        Plots.confusion(png, m, "heat");
        BufferedImage image = ImageIO.read(png.toFile());
        Plots.ConfusionLayout layout = Plots.ConfusionLayout.of(3, Plots.WIDTH, Plots.HEIGHT);
        java.awt.Rectangle top = layout.cell(0, 0);
        java.awt.Rectangle bottom = layout.cell(2, 2);
        assertTrue(top.y < bottom.y && top.x < bottom.x, "actual class 0 on the top row, predicted 0 on the left");
        // The largest count (actual a, predicted a) is the darkest cell, drawn at the top left, with white text.
        int[] topPixels = darkAndLight(image, top, 80, 200);
        assertTrue(topPixels[0] > top.width * top.height / 2, "the top-left cell is dark");
        assertTrue(topPixels[1] > 20, "white digits on the darkest cell: " + topPixels[1] + " light pixels");
        int[] emptyPixels = darkAndLight(image, layout.cell(0, 2), 80, 200);
        assertTrue(emptyPixels[1] > top.width * top.height / 2 && emptyPixels[0] > 5,
                "a zero cell is light, with black digits");
        assertEquals(Plots.textOn(Plots.blues(1.0)), java.awt.Color.WHITE);
        assertEquals(Plots.textOn(Plots.blues(0.0)), java.awt.Color.BLACK);
        for (double f = 0; f <= 1; f += 0.05) {
            java.awt.Color shade = Plots.blues(f);
            double contrast = Math.abs(luminance(shade.getRGB()) - luminance(Plots.textOn(shade).getRGB()));
            assertTrue(contrast > 100, "text reads on shade " + f + ": contrast " + contrast);
        }
    }

    @Test
    void severalRegressionTargetsGetOnePanelEach() throws Exception {
        Path model = dir.resolve("multi.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--target", "target,s1_tc,bmi",
                "--epochs", "5", "--quiet", "--out", model.toString()).code());
        Path png = dir.resolve("multi.png");
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"),
                "--plot", png.toString());
        assertEquals(0, evaluate.code(), evaluate.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(3 * Plots.PANEL_WIDTH, image.getWidth());
        assertEquals(36 + Plots.PANEL_HEIGHT, image.getHeight());
        Path svg = dir.resolve("multi.svg");
        assertEquals(0, Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"),
                "--plot", svg.toString()).code());
        String text = Files.readString(svg);
        assertTrue(text.contains("width=\"" + 3 * Plots.PANEL_WIDTH + "px\""), "three panels side by side");
    }

    @Test
    void plotNeedsAPngOrSvgName() {
        Cli run = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--plot", dir.resolve("c.jpg").toString(),
                "--out", dir.resolve("m.gradus").toString());
        assertEquals(2, run.code(), run.toString());
        assertTrue(run.err().contains("must end in .png or .svg"), run.err());
        assertFalse(Files.exists(dir.resolve("m.gradus")), "nothing trained or written");
    }

    private List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.add("dev.gradus.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(List<String> command, Path stderr) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), Files.readString(stderr));
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Test
    void redirectedProgressIsPlainLinesWithoutControlCharacters() throws Exception {
        String err = run(javaCommand("train", "--data", Cli.data("digits_train.csv"), "--task", "classification",
                "--epochs", "40", "--out", dir.resolve("m.gradus").toString()), dir.resolve("err.txt"));
        List<String> epochLines = err.lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(21, epochLines.size(), "epochs 1, 2, 4, …, 40: about 20 lines\n" + err);
        assertTrue(epochLines.get(epochLines.size() - 1).startsWith("epoch 40/40  loss "), err);
        assertTrue(err.chars().noneMatch(c -> c == '\r' || c == 0x1b), "no control characters:\n" + err);
    }

    @Test
    void aTerminalGetsAProgressBar() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux 'script' provides a pseudo-terminal");
        // The launcher passes -Dgradus.stderr.tty=true when stderr is a terminal ([ -t 2 ]).
        String command = javaCommand().get(0) + " -Dgradus.stderr.tty=true -cp '"
                + System.getProperty("java.class.path") + "' dev.gradus.cli.Main train --data "
                + Cli.data("digits_train.csv") + " --task classification --epochs 40 --out " + dir.resolve("m.gradus");
        Path typescript = dir.resolve("typescript");
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", command, typescript.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String screen = Files.readString(typescript, StandardCharsets.UTF_8);
        assertTrue(screen.contains("\r") && screen.contains("epoch 40/40 |") && screen.contains("| 100%"),
                "a bar redrawn in place:\n" + screen);
        assertFalse(screen.contains("epoch 40/40  loss"), "no plain lines on a terminal");
    }
}
