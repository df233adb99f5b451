package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.io.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The directories a run writes into, checked before any data are read or any training starts: a directory that
 * cannot be created or written fails then, with the operating system's reason, not at the first save an hour in;
 * and an output directory that holds another run's files is not silently overwritten.
 */
final class RunDirectories {

    /** The files whose presence says that a directory holds a run's output ({@link RunSummary}). */
    static final List<String> RUN_FILES = List.of(RunSummary.SUMMARY, RunSummary.METRICS);

    private RunDirectories() {
    }

    /**
     * Checks an output directory given with {@code --output} before the run: it must not be a file, must not hold
     * another run's files unless {@code overwrite}, and must be writable (it is created if needed).
     *
     * @param overwriteOption the option that allows replacing a run's files, named in the message
     * @throws ParameterException saying what is wrong and what to do
     */
    static void checkOutput(CommandLine cmd, Path dir, boolean overwrite, String overwriteOption) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ParameterException(cmd, "--output " + dir + " exists and is not a directory: choose a "
                    + "directory");
        }
        if (!overwrite) {
            List<String> present = RUN_FILES.stream().filter(f -> Files.exists(dir.resolve(f))).toList();
            if (!present.isEmpty()) {
                throw new ParameterException(cmd, "--output " + dir + " already holds a run's files ("
                        + String.join(", ", present) + "): choose another --output, leave --output out for a new "
                        + "folder under runs/, or add " + overwriteOption + " to replace them");
            }
        }
        requireWritable(cmd, "--output", dir);
    }

    /**
     * Creates {@code dir} if needed and checks that files can be written into it.
     *
     * @throws ParameterException naming the option, the directory and the operating system's reason if not
     */
    static void requireWritable(CommandLine cmd, String option, Path dir) {
        try {
            DurableFiles.requireWritableDirectory(dir);
        } catch (IOException e) {
            throw new ParameterException(cmd, option + ": " + e.getMessage() + "; choose a directory you can write "
                    + "to", e);
        }
    }
}
