package dev.gradus.cli;

import dev.gradus.io.AtomicFiles;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
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

    /** A heat map of the confusion matrix (rows: actual class, columns: predicted class). */
    static void confusion(Path file, ClassificationMetrics m, String title) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("predicted").yAxisTitle("actual").build();
        List<String> labels = m.labels();
        int k = labels.size();
        Number[][] heat = new Number[k * k][];
        int i = 0;
        for (int actual = 0; actual < k; actual++) {
            for (int predicted = 0; predicted < k; predicted++) {
                heat[i++] = new Number[] {predicted, actual, m.confusion()[actual][predicted]};
            }
        }
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(0xF7FBFF),
                new java.awt.Color(0x6BAED6), new java.awt.Color(0x08306B)});
        chart.getStyler().setValueFontColor(java.awt.Color.BLACK);
        chart.addSeries("count", labels, labels, List.of(heat));
        save(chart, file, "--plot");
    }

    /**
     * Predicted against actual values, one series per regression target, with the line
     * predicted = actual. Both arrays are {@code N × targets.size()} row-major.
     */
    static void scatter(Path file, float[] actual, float[] predicted, List<String> targets, String title)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("actual").yAxisTitle("predicted").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        int k = targets.size();
        int n = actual.length / k;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < k; t++) {
            double[] x = new double[n];
            double[] y = new double[n];
            for (int r = 0; r < n; r++) {
                x[r] = actual[r * k + t];
                y[r] = predicted[r * k + t];
                lo = Math.min(lo, Math.min(x[r], y[r]));
                hi = Math.max(hi, Math.max(x[r], y[r]));
            }
            chart.addSeries(targets.get(t), x, y);
        }
        XYSeries diagonal = chart.addSeries("predicted = actual", new double[] {lo, hi}, new double[] {lo, hi});
        diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diagonal.setMarker(SeriesMarkers.NONE);
        save(chart, file, "--plot");
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
