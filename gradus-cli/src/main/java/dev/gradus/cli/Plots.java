package dev.gradus.cli;

import dev.gradus.internal.AtomicFiles;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Pictures written with XChart: learning curves, confusion heat maps, predicted-vs-actual scatter. */
final class Plots {
    static final int WIDTH = 800;
    static final int HEIGHT = 600;

    private Plots() {}

    /** Checks that {@code file} ends in .png or .svg and can be written (before any work). */
    static void checkPlotPath(String flag, Path file) {
        format(flag, file);
        TrainCommand.checkWritable(file, flag);
    }

    /**
     * Learning curves: training loss per epoch and, when the epochs were validated, the
     * validation loss (same axis; logarithmic when the losses span a decade or more) and each
     * validation metric (a second axis on the right).
     */
    static void learningCurves(Path file, History history, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        List<EpochStats> epochs = history.epochs();
        int n = Math.max(1, epochs.size());
        double[] x = new double[n];
        double[] loss = new double[n];
        double[] validationLoss = new double[n];
        boolean validated = !epochs.isEmpty() && epochs.get(0).validated();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < epochs.size(); i++) {
            EpochStats e = epochs.get(i);
            x[i] = e.epoch();
            loss[i] = e.loss();
            validationLoss[i] = e.validationLoss();
            for (double v : validated ? new double[] {loss[i], validationLoss[i]} : new double[] {loss[i]}) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        line(chart.addSeries("training loss", x, loss));
        boolean metrics = validated && !epochs.get(0).validationMetrics().isEmpty();
        if (validated) {
            line(chart.addSeries("validation loss", x, validationLoss));
            for (String metric : epochs.get(0).validationMetrics().keySet()) {
                double[] values = new double[n];
                for (int i = 0; i < epochs.size(); i++) {
                    values[i] = epochs.get(i).validationMetrics().get(metric);
                }
                XYSeries series = chart.addSeries("validation " + metric, x, values);
                line(series);
                series.setYAxisGroup(1);
                chart.setYAxisGroupTitle(1, metric);
            }
            chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        }
        // A logarithmic loss axis shows late progress, but XChart applies it to every y axis, so a
        // metric on the second axis keeps both linear.
        chart.getStyler().setYAxisLogarithmic(!metrics && min > 0 && max / min >= 10);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        save(chart, file, "--plot");
    }

    private static void line(XYSeries series) {
        series.setMarker(SeriesMarkers.NONE);
    }

    /**
     * A heat map of the confusion matrix as scikit-learn draws it: rows are the actual class,
     * class 0 on top; columns the predicted class, class 0 on the left; cells shaded from white
     * to dark blue by count, each count written in black on light cells and white on dark ones.
     */
    static void confusion(Path file, ClassificationMetrics m, String title) throws IOException {
        ConfusionLayout layout = ConfusionLayout.of(m.labels().size(), WIDTH, HEIGHT);
        draw(file, "--plot", WIDTH, HEIGHT, g -> paintConfusion(g, m, title, layout));
    }

    /** Where the confusion heat map puts its cells: a square grid of {@code k × k} cells. */
    record ConfusionLayout(int k, int left, int top, int cell) {
        static ConfusionLayout of(int k, int width, int height) {
            int left = 170;
            int top = 60;
            int grid = Math.min(width - left - 110, height - top - 90);
            int cell = Math.max(1, grid / k);
            return new ConfusionLayout(k, left + (grid - cell * k) / 2, top, cell);
        }

        /** The cell of actual class {@code actual} and predicted class {@code predicted}. */
        java.awt.Rectangle cell(int actual, int predicted) {
            return new java.awt.Rectangle(left + predicted * cell, top + actual * cell, cell, cell);
        }
    }

    /** scikit-learn's / matplotlib's "Blues", from no count to the most. */
    private static final int[] BLUES = {0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5,
        0x08519C, 0x08306B};

    static java.awt.Color blues(double f) {
        double x = Math.max(0, Math.min(1, f)) * (BLUES.length - 1);
        int i = Math.min(BLUES.length - 2, (int) Math.floor(x));
        double t = x - i;
        java.awt.Color a = new java.awt.Color(BLUES[i]);
        java.awt.Color b = new java.awt.Color(BLUES[i + 1]);
        return new java.awt.Color((int) Math.round(a.getRed() + t * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + t * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + t * (b.getBlue() - a.getBlue())));
    }

    /** Black or white, whichever reads better on {@code background} (by its luminance). */
    static java.awt.Color textOn(java.awt.Color background) {
        double luminance = 0.299 * background.getRed() + 0.587 * background.getGreen() + 0.114 * background.getBlue();
        return luminance < 140 ? java.awt.Color.WHITE : java.awt.Color.BLACK;
    }

    private static void paintConfusion(java.awt.Graphics2D g, ClassificationMetrics m, String title,
                                       ConfusionLayout layout) {
        List<String> labels = m.labels();
        int k = labels.size();
        long[][] confusion = m.confusion();
        long max = 1;
        for (long[] row : confusion) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 16));
        centred(g, title, WIDTH / 2, 30);

        int cell = layout.cell();
        int gridSize = cell * k;
        float countSize = (float) Math.min(16, cell * 0.4);
        float labelSize = (float) Math.max(8, Math.min(13, cell * 0.6));
        java.awt.Font counts = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12).deriveFont(countSize);
        java.awt.Font axis = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12).deriveFont(labelSize);
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                java.awt.Rectangle r = layout.cell(a, p);
                java.awt.Color shade = blues((double) confusion[a][p] / max);
                g.setColor(shade);
                g.fillRect(r.x, r.y, r.width, r.height);
                if (countSize >= 6) {
                    g.setColor(textOn(shade));
                    g.setFont(counts);
                    centred(g, Long.toString(confusion[a][p]), r.x + r.width / 2, r.y + r.height / 2
                            + g.getFontMetrics().getAscent() / 2 - 1);
                }
            }
        }
        g.setColor(java.awt.Color.GRAY);
        g.drawRect(layout.left(), layout.top(), gridSize, gridSize);

        // Class labels: actual down the left (class 0 on top), predicted along the bottom.
        g.setColor(java.awt.Color.BLACK);
        g.setFont(axis);
        int every = Math.max(1, (int) Math.ceil(labelSize * 1.2 / cell));
        for (int c = 0; c < k; c += every) {
            String label = fit(g, labels.get(c), layout.left() - 50);
            int w = g.getFontMetrics().stringWidth(label);
            g.drawString(label, layout.left() - 8 - w, layout.top() + c * cell + cell / 2
                    + g.getFontMetrics().getAscent() / 2 - 1);
            centred(g, fit(g, labels.get(c), Math.max(cell * every - 4, 10)), layout.left() + c * cell + cell / 2,
                    layout.top() + gridSize + 8 + g.getFontMetrics().getAscent());
        }
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
        centred(g, "predicted", layout.left() + gridSize / 2, layout.top() + gridSize + 50);
        java.awt.geom.AffineTransform saved = g.getTransform();
        g.translate(30, layout.top() + gridSize / 2);
        g.rotate(-Math.PI / 2);
        centred(g, "actual", 0, 0);
        g.setTransform(saved);

        // Colour bar: 0 at the bottom, the largest count at the top.
        int barX = layout.left() + gridSize + 30;
        int steps = 64;
        for (int i = 0; i < steps; i++) {
            g.setColor(blues(1 - (double) i / (steps - 1)));
            int y0 = layout.top() + i * gridSize / steps;
            int y1 = layout.top() + (i + 1) * gridSize / steps;
            g.fillRect(barX, y0, 18, y1 - y0);
        }
        g.setColor(java.awt.Color.GRAY);
        g.drawRect(barX, layout.top(), 18, gridSize);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        g.drawString(Long.toString(max), barX + 24, layout.top() + 10);
        g.drawString("0", barX + 24, layout.top() + gridSize);
    }

    private static void centred(java.awt.Graphics2D g, String text, int x, int baseline) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /** {@code text}, cut with an ellipsis to at most {@code width} pixels. */
    private static String fit(java.awt.Graphics2D g, String text, int width) {
        if (g.getFontMetrics().stringWidth(text) <= width) {
            return text;
        }
        String t = text;
        while (t.length() > 1 && g.getFontMetrics().stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    /** Size of one panel of a picture with several (one per regression target). */
    static final int PANEL_WIDTH = 500;
    static final int PANEL_HEIGHT = 420;
    private static final int BANNER = 36;

    /**
     * Predicted against actual values with the line predicted = actual; one panel per
     * regression target (each with its own scale: targets of different sizes would otherwise
     * collapse onto one axis), in a grid of up to 3 columns under the title. Both arrays are
     * {@code N × targets.size()} row-major.
     */
    static void scatter(Path file, float[] actual, float[] predicted, List<String> targets, String title)
            throws IOException {
        int k = targets.size();
        if (k == 1) {
            save(scatterPanel(actual, predicted, 0, 1, WIDTH, HEIGHT, title), file, "--plot");
            return;
        }
        int columns = Math.min(3, k);
        int rows = (k + columns - 1) / columns;
        int width = columns * PANEL_WIDTH;
        int height = BANNER + rows * PANEL_HEIGHT;
        List<XYChart> panels = new java.util.ArrayList<>();
        for (int t = 0; t < k; t++) {
            panels.add(scatterPanel(actual, predicted, t, k, PANEL_WIDTH, PANEL_HEIGHT, targets.get(t)));
        }
        draw(file, "--plot", width, height, g -> {
            g.setColor(panels.get(0).getStyler().getChartBackgroundColor());
            g.fillRect(0, 0, width, height);
            g.setColor(java.awt.Color.BLACK);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 16));
            centred(g, title, width / 2, 24);
            for (int t = 0; t < k; t++) {
                java.awt.geom.AffineTransform saved = g.getTransform();
                g.translate(t % columns * PANEL_WIDTH, BANNER + t / columns * PANEL_HEIGHT);
                panels.get(t).paint(g, PANEL_WIDTH, PANEL_HEIGHT);
                g.setTransform(saved);
            }
        });
    }

    /** Predicted against actual values of target {@code t} of {@code k}, with the diagonal. */
    private static XYChart scatterPanel(float[] actual, float[] predicted, int t, int k, int width, int height,
                                        String title) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("actual").yAxisTitle("predicted").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendVisible(false);
        int n = actual.length / k;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            x[r] = actual[r * k + t];
            y[r] = predicted[r * k + t];
            lo = Math.min(lo, Math.min(x[r], y[r]));
            hi = Math.max(hi, Math.max(x[r], y[r]));
        }
        chart.addSeries("rows", x, y);
        XYSeries diagonal = chart.addSeries("predicted = actual", new double[] {lo, hi}, new double[] {lo, hi});
        diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(java.awt.Color.GRAY);
        return chart;
    }

    /**
     * Paints a {@code width × height} picture with {@code painter} and writes it as PNG or SVG
     * (by the file name), atomically.
     */
    static void draw(Path file, String flag, int width, int height,
                     java.util.function.Consumer<java.awt.Graphics2D> painter) throws IOException {
        String format = format(flag, file);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (format.equals("png")) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = image.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                    java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            painter.accept(g);
            g.dispose();
            javax.imageio.ImageIO.write(image, "png", bytes);
        } else {
            de.erichseifert.vectorgraphics2d.VectorGraphics2D g = new de.erichseifert.vectorgraphics2d.VectorGraphics2D();
            painter.accept(g);
            new de.erichseifert.vectorgraphics2d.svg.SVGProcessor().getDocument(g.getCommands(),
                    new de.erichseifert.vectorgraphics2d.util.PageSize(0, 0, width, height)).writeTo(bytes);
        }
        AtomicFiles.write(file, bytes::writeTo);
    }

    /** Writes {@code chart} as PNG or SVG to a temporary file, then renames it over {@code file}. */
    static void save(Chart<?, ?> chart, Path file, String flag) throws IOException {
        String format = format(flag, file);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (format.equals("png")) {
            BitmapEncoder.saveBitmap(chart, bytes, BitmapEncoder.BitmapFormat.PNG);
        } else {
            VectorGraphicsEncoder.saveVectorGraphic(chart, bytes, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        AtomicFiles.write(file, bytes::writeTo);
    }

    private static String format(String flag, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return "png";
        }
        if (name.endsWith(".svg")) {
            return "svg";
        }
        throw new UsageException(flag + " " + file + ": the file name must end in .png or .svg");
    }
}
