package io.github.dl4jadmm.examples.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.ChartTheme;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of a training run, drawn off-screen with XChart (works with {@code -Djava.awt.headless=true}):
 * <ul>
 *   <li>{@value #OBJECTIVE_RESIDUAL}: the augmented Lagrangian and the objective (left) and the primal and dual
 *       residuals (right) against the iteration, both on log scales; for a gradient method, the training loss;</li>
 *   <li>{@value #ACCURACY}: train, validation and test accuracy against the iteration;</li>
 *   <li>{@value #ACCURACY_VS_BYTES}: validation and test accuracy against the megabytes sent between blocks (only
 *       for runs that send something).</li>
 * </ul>
 * The series names and axis titles come from {@link Labels}: {@link Labels#PDADMM} for layer-parallel runs (the
 * default), {@link Labels#GADMM} for data-parallel runs over a chain of workers.
 */
public final class RunPlots {

    /** File name of the objective and residual plot. */
    public static final String OBJECTIVE_RESIDUAL = "objective_residual.png";
    /** File name of the accuracy plot. */
    public static final String ACCURACY = "accuracy.png";
    /** File name of the accuracy against bytes plot. */
    public static final String ACCURACY_VS_BYTES = "accuracy_vs_bytes.png";

    /**
     * What the quantities of an {@link IterationRecord} mean in one kind of run, for the legends and axes.
     *
     * @param lagrangian   the augmented Lagrangian series
     * @param objective    the objective series
     * @param trainLoss    the training loss series
     * @param residual     the primal residual series
     * @param dualResidual the dual residual series
     * @param sentBetween  the x axis of the accuracy against bytes plot
     */
    public record Labels(String lagrangian, String objective, String trainLoss, String residual, String dualResidual,
                         String sentBetween) {

        /** pdADMM-G: layer blocks. */
        public static final Labels PDADMM = new Labels("L_rho (augmented Lagrangian)", "F (relaxed objective)",
                "train loss (forward pass, per sample)", "primal residual sum ||p - q||^2", "dual residual",
                "MB sent between layer blocks");

        /** (Q-)GADMM and (Q-)SGADMM: workers on a chain. */
        public static final Labels GADMM = new Labels("L_rho (augmented Lagrangian)",
                "F = sum_n f_n(theta_n) (workers' models)", "train loss (per sample)",
                "consensus residual sum ||theta_n - theta_n+1||^2", "dual residual", "MB sent between workers");
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private RunPlots() {
    }

    /**
     * Writes the plots that {@code history} has data for into {@code directory}.
     *
     * @param title shown above each plot, e.g. {@code "pdadmm-g on cora"}
     * @return the files written
     */
    public static List<Path> write(List<IterationRecord> history, String title, Path directory) throws IOException {
        return write(history, title, directory, Labels.PDADMM);
    }

    /**
     * Writes the plots that {@code history} has data for into {@code directory}, naming the series by
     * {@code labels}.
     *
     * @return the files written
     */
    public static List<Path> write(List<IterationRecord> history, String title, Path directory, Labels labels)
            throws IOException {
        List<Path> written = new ArrayList<>();
        boolean admm = history.stream().anyMatch(r -> !Double.isNaN(r.augmentedLagrangian())
                || !Double.isNaN(r.residual()));
        Path objective = directory.resolve(OBJECTIVE_RESIDUAL);
        if (admm) {
            XYChart left = chart(title + ": objective", "iteration", "value (log scale)", true);
            addPositive(left, labels.lagrangian(), history, IterationRecord::iteration,
                    IterationRecord::augmentedLagrangian);
            addPositive(left, labels.objective(), history, IterationRecord::iteration, IterationRecord::objective);
            addPositive(left, labels.trainLoss(), history, IterationRecord::iteration, IterationRecord::trainLoss);
            XYChart right = chart(title + ": residuals", "iteration", "value (log scale)", true);
            addPositive(right, labels.residual(), history, IterationRecord::iteration, IterationRecord::residual);
            addPositive(right, labels.dualResidual(), history, IterationRecord::iteration,
                    IterationRecord::dualResidual);
            save(List.of(left, right), objective, written);
        } else {
            XYChart loss = chart(title + ": training loss", "epoch", "loss (log scale)", true);
            addPositive(loss, "train loss", history, IterationRecord::iteration, IterationRecord::trainLoss);
            save(List.of(loss), objective, written);
        }

        XYChart accuracy = chart(title + ": accuracy", admm ? "iteration" : "epoch", "accuracy", false);
        accuracy.getStyler().setLegendPosition(LegendPosition.InsideSE);
        Map<String, ToDoubleFunction<IterationRecord>> accuracies = new LinkedHashMap<>();
        accuracies.put("train", IterationRecord::trainAccuracy);
        accuracies.put("validation", IterationRecord::valAccuracy);
        accuracies.put("test", IterationRecord::testAccuracy);
        accuracies.forEach((name, y) -> addFinite(accuracy, name, history, IterationRecord::iteration, y));
        save(List.of(accuracy), directory.resolve(ACCURACY), written);

        if (history.stream().anyMatch(r -> r.bytesSent() > 0)) {
            XYChart bytes = chart(title + ": accuracy against data sent", labels.sentBetween(), "accuracy", false);
            bytes.getStyler().setLegendPosition(LegendPosition.InsideSE);
            addFinite(bytes, "validation", history, r -> r.bytesSent() / 1e6, IterationRecord::valAccuracy);
            addFinite(bytes, "test", history, r -> r.bytesSent() / 1e6, IterationRecord::testAccuracy);
            save(List.of(bytes), directory.resolve(ACCURACY_VS_BYTES), written);
        }
        return written;
    }

    /**
     * One chart comparing several runs: validation accuracy (or any other series) against MB sent, one series per
     * run. Used by the quantisation notebook and benchmark.
     *
     * @param runs run name to its history
     */
    public static Path accuracyVsBytes(Map<String, List<IterationRecord>> runs, String title, Path file)
            throws IOException {
        XYChart chart = chart(title, "MB sent between layer blocks (log scale)", "test accuracy", false);
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
        chart.getStyler().setXAxisLogarithmic(true);
        runs.forEach((name, history) -> addFinite(chart, name,
                history.stream().filter(r -> r.bytesSent() > 0).toList(), r -> r.bytesSent() / 1e6,
                IterationRecord::testAccuracy));
        List<Path> written = new ArrayList<>();
        save(List.of(chart), file, written);
        if (written.isEmpty()) {
            throw new IllegalArgumentException("no run has a test accuracy measured after sending data: nothing to "
                    + "plot");
        }
        return file;
    }

    private static XYChart chart(String title, String x, String y, boolean logY) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y)
                .theme(ChartTheme.XChart).build();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(220, 220, 220));
        chart.getStyler().setAntiAlias(true);
        chart.getStyler().setXAxisMaxLabelCount(12);
        chart.getStyler().setYAxisDecimalPattern(logY ? "0.##E0" : "0.00");
        return chart;
    }

    /** Adds the points with a positive, finite y (a log axis can show no others); no series if there are none. */
    private static void addPositive(XYChart chart, String name, List<IterationRecord> history,
                                    ToDoubleFunction<IterationRecord> x, ToDoubleFunction<IterationRecord> y) {
        add(chart, name, history, x, y, true);
    }

    private static void addFinite(XYChart chart, String name, List<IterationRecord> history,
                                  ToDoubleFunction<IterationRecord> x, ToDoubleFunction<IterationRecord> y) {
        add(chart, name, history, x, y, false);
    }

    private static void add(XYChart chart, String name, List<IterationRecord> history,
                            ToDoubleFunction<IterationRecord> x, ToDoubleFunction<IterationRecord> y,
                            boolean positive) {
        List<double[]> points = new ArrayList<>();
        for (IterationRecord r : history) {
            double xv = x.applyAsDouble(r);
            double yv = y.applyAsDouble(r);
            if (Double.isFinite(xv) && Double.isFinite(yv) && (!positive || yv > 0)) {
                points.add(new double[]{xv, yv});
            }
        }
        if (points.isEmpty()) {
            return;
        }
        double[] xs = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] ys = points.stream().mapToDouble(p -> p[1]).toArray();
        XYSeries series = chart.addSeries(name, xs, ys);
        series.setLineStyle(new BasicStroke(2f));
        series.setMarker(points.size() <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }

    /** Saves the charts that have a series side by side in {@code file}, and adds it to {@code written}. */
    private static void save(List<XYChart> charts, Path file, List<Path> written) throws IOException {
        List<XYChart> drawn = charts.stream().filter(c -> !c.getSeriesMap().isEmpty()).toList();
        if (drawn.isEmpty()) {
            return;
        }
        if (drawn.size() == 1) {
            BitmapEncoder.saveBitmap(drawn.get(0), file.toString(), BitmapFormat.PNG);
        } else {
            BitmapEncoder.saveBitmap(drawn, 1, drawn.size(), file.toString(), BitmapFormat.PNG);
        }
        written.add(file);
    }
}
