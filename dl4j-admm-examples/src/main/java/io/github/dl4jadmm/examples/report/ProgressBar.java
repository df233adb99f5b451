package io.github.dl4jadmm.examples.report;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a training run with ETA and live metrics, meant for standard error. On a terminal
 * ({@link Style#BAR}) one line is redrawn in place, at most ten times a second:
 *
 * <pre>
 * pdadmm-g [=========>          ]  45/100  45%  0:03 &lt; 0:04  loss 0.4123  acc 0.871  val 0.802  res 1.2e-03  1.31 MB
 * </pre>
 *
 * When the output is not a terminal ({@link Style#LINES}) the same text is printed as a plain line about every tenth
 * of the run, which keeps log files readable; {@link Style#OFF} prints nothing.
 */
public final class ProgressBar {

    /** How progress is shown. */
    public enum Style {
        /** A bar redrawn in place with carriage returns. */
        BAR,
        /** A line about every tenth of the run. */
        LINES,
        /** Nothing. */
        OFF
    }

    private static final int BAR_WIDTH = 20;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final String label;
    private final int total;
    private final int startedAt;
    private final Style style;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private int lastLength;
    private int lastLinePercent = -1;
    private double loss = Double.NaN;
    private double accuracy = Double.NaN;
    private double validation = Double.NaN;

    /**
     * @param out       where to draw (standard error)
     * @param label     shown first, e.g. the algorithm
     * @param total     iterations of the whole run
     * @param startedAt iterations already done before this process started (a resumed run); the ETA uses only the
     *                  iterations timed here
     */
    public ProgressBar(PrintWriter out, String label, int total, int startedAt, Style style) {
        this.out = out;
        this.label = label;
        this.total = Math.max(total, 1);
        this.startedAt = startedAt;
        this.style = style;
    }

    /** Reports that {@code record}'s iteration is done. */
    public void update(IterationRecord record) {
        if (!Double.isNaN(record.trainLoss())) {
            loss = record.trainLoss();
        }
        if (!Double.isNaN(record.trainAccuracy())) {
            accuracy = record.trainAccuracy();
        }
        if (!Double.isNaN(record.valAccuracy())) {
            validation = record.valAccuracy();
        }
        int done = record.iteration() + 1;
        long now = System.nanoTime();
        switch (style) {
            case OFF -> {
            }
            case BAR -> {
                if (done >= total || now - lastDrawNanos >= REDRAW_NANOS) {
                    String text = text(done, now, record, true);
                    out.print('\r' + text + " ".repeat(Math.max(0, lastLength - text.length())));
                    out.flush();
                    lastLength = text.length();
                    lastDrawNanos = now;
                }
            }
            case LINES -> {
                int percent = (int) (100L * done / total);
                if (percent / 10 > lastLinePercent / 10 || done >= total) {
                    out.println(text(done, now, record, false));
                    out.flush();
                    lastLinePercent = percent;
                }
            }
        }
    }

    /** Ends the bar's line. */
    public void finish() {
        if (style == Style.BAR && lastLength > 0) {
            out.println();
            out.flush();
        }
    }

    /** The progress text for {@code done} iterations at time {@code now}. */
    String text(int done, long now, IterationRecord record, boolean bar) {
        StringBuilder s = new StringBuilder(label).append(' ');
        if (bar) {
            int filled = (int) ((long) BAR_WIDTH * Math.min(done, total) / total);
            s.append('[').append("=".repeat(filled));
            if (filled < BAR_WIDTH) {
                s.append('>').append(" ".repeat(BAR_WIDTH - filled - 1));
            }
            s.append("] ");
        }
        int width = String.valueOf(total).length();
        s.append(String.format(Locale.ROOT, "%" + width + "d/%d %3d%%", done, total, 100L * done / total));
        double elapsed = (now - startNanos) / 1e9;
        int timedHere = done - startedAt;
        String eta = timedHere > 0 ? clock(elapsed / timedHere * (total - done)) : "?";
        s.append("  ").append(clock(elapsed)).append(" < ").append(eta);
        if (!Double.isNaN(loss)) {
            s.append(String.format(Locale.ROOT, "  loss %.4f", loss));
        }
        if (!Double.isNaN(accuracy)) {
            s.append(String.format(Locale.ROOT, "  acc %.3f", accuracy));
        }
        if (!Double.isNaN(validation)) {
            s.append(String.format(Locale.ROOT, "  val %.3f", validation));
        }
        if (!Double.isNaN(record.residual())) {
            s.append(String.format(Locale.ROOT, "  res %.2e", record.residual()));
        }
        if (record.bytesSent() > 0) {
            s.append("  ").append(bytes(record.bytesSent()));
        }
        return s.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Bytes in B, kB, MB or GB (powers of 1000). */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value,
                units[unit]);
    }
}
