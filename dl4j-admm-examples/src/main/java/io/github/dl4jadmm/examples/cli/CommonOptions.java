package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.report.ProgressBar;
import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors and the libraries' log messages.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress output on standard error.")
    boolean quiet;

    /**
     * How to show progress: nothing when quiet, a bar redrawn in place on a terminal, plain lines otherwise (logs,
     * pipes, tests).
     */
    ProgressBar.Style progressStyle() {
        if (quiet) {
            return ProgressBar.Style.OFF;
        }
        return System.console() != null ? ProgressBar.Style.BAR : ProgressBar.Style.LINES;
    }
}
