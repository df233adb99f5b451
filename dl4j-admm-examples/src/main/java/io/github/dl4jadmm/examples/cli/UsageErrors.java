package io.github.dl4jadmm.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Usage errors that several commands raise alike. */
final class UsageErrors {

    private UsageErrors() {
    }

    /**
     * Refuses options given on the command line that do not apply, rather than ignoring them: a usage error
     * "OPTION REASON" for the first of {@code options} that {@code cmd} was given.
     */
    static void refuse(CommandLine cmd, String reason, String... options) {
        for (String option : options) {
            if (cmd.getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(cmd, option + " " + reason);
            }
        }
    }
}
