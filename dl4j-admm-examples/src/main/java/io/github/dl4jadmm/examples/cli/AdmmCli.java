package io.github.dl4jadmm.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code dl4j-admm} command line: {@code train}, {@code bench <suite>} and {@code gadmm}. Run it from the
 * shaded jar:
 *
 * <pre>
 * java -jar dl4j-admm-examples/target/dl4j-admm.jar train            # synthetic graph, well under a minute
 * java -jar dl4j-admm-examples/target/dl4j-admm.jar train --help
 * </pre>
 *
 * Exit codes: 0 success, 1 the run failed (unreadable data, divergence, I/O), 2 a usage error (message and a hint,
 * no stack trace unless {@code --verbose}), 3 a command that this build does not contain.
 */
@Command(name = "dl4j-admm", mixinStandardHelpOptions = true, versionProvider = AdmmCli.Version.class,
        description = "Gradient-free, layer-parallel ADMM training (pdADMM-G, pdADMM-G-Q, Q-GADMM) for "
                + "Deeplearning4j.",
        subcommands = {TrainCommand.class, BenchCommand.class, GadmmCommand.class, WorkerCommand.class,
                HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the run failed (data, divergence, I/O)", "2:usage error",
                "3:not available in this build"})
public final class AdmmCli implements Runnable {

    /** Exit code of a run that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a usage error. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a command that this build does not contain. */
    public static final int EXIT_UNAVAILABLE = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: train, bench or gadmm");
    }

    /** The command line with this project's error handling; tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new AdmmCli());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler(usageErrors());
        cmd.setExecutionExceptionHandler(runFailures());
        return cmd;
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        boolean verbose = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        // ND4J and DL4J log their start-up at INFO; a command line shows only warnings unless asked
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(commandLine().execute(args));
    }

    /** A usage error: the message, a hint at {@code --help}, exit code 2. */
    private static IParameterExceptionHandler usageErrors() {
        return (ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getColorScheme().errorText(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage()));
            if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
                err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            }
            if (verbose(cmd.getParseResult()) && ex.getCause() != null) {
                ex.getCause().printStackTrace(err);
            }
            err.flush();
            return EXIT_USAGE;
        };
    }

    /** A failed run: the message (the stack trace only with --verbose), exit code 1 (3 for a missing feature). */
    private static IExecutionExceptionHandler runFailures() {
        return (ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            String message = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getName();
            err.println(cmd.getColorScheme().errorText(cmd.getCommandSpec().qualifiedName() + ": " + message));
            if (verbose(parseResult)) {
                ex.printStackTrace(err);
            } else if (!(ex instanceof UnavailableException)) {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return ex instanceof UnavailableException ? EXIT_UNAVAILABLE : EXIT_FAILURE;
        };
    }

    private static boolean verbose(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = AdmmCli.class.getPackage().getImplementationVersion();
            return new String[]{"dl4j-admm " + (version != null ? version : "(development build)"),
                    "Deeplearning4j 1.0.0-M2.1, Java " + System.getProperty("java.version")};
        }
    }
}
