package io.github.dl4jadmm.graph.download;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Finds the data directory, the folder that holds one sub-folder per benchmark ({@code cora/}, ...) and, when the
 * downloader fills it, {@code raw/} with the original files. The first of these wins:
 *
 * <ol>
 *   <li>an explicit directory (a {@code --data-dir} option);</li>
 *   <li>the system property {@value #PROPERTY};</li>
 *   <li>the environment variable {@value #ENVIRONMENT};</li>
 *   <li>the user cache {@code ~/.dl4j-admm/data}.</li>
 * </ol>
 */
public final class DataDirectories {

    /** System property naming the data directory (also set by the build for the tests). */
    public static final String PROPERTY = "dl4jadmm.data.dir";
    /** Environment variable naming the data directory. */
    public static final String ENVIRONMENT = "DL4JADMM_DATA_DIR";

    private DataDirectories() {
    }

    /** Where a directory came from. */
    public enum Origin {
        /** Given explicitly, e.g. by {@code --data-dir}. */
        EXPLICIT,
        /** The system property {@value DataDirectories#PROPERTY}. */
        SYSTEM_PROPERTY,
        /** The environment variable {@value DataDirectories#ENVIRONMENT}. */
        ENVIRONMENT,
        /** The default user cache {@code ~/.dl4j-admm/data}. */
        USER_CACHE
    }

    /**
     * A resolved data directory.
     *
     * @param path   the directory (absolute and normalised; it need not exist yet)
     * @param origin where it came from
     */
    public record Resolved(Path path, Origin origin) {
    }

    /**
     * The data directory: {@code explicit} if not null, else the system property, else the environment variable,
     * else {@code ~/.dl4j-admm/data}.
     */
    public static Path resolve(Path explicit) {
        return resolve(explicit, System.getProperties(), System.getenv(), Path.of(System.getProperty("user.home")))
                .path();
    }

    /**
     * The same rules with the property, environment and home directory given, to see where a directory came from
     * and for tests.
     */
    public static Resolved resolve(Path explicit, Properties properties, Map<String, String> environment,
                                   Path home) {
        if (explicit != null) {
            return new Resolved(normalise(explicit), Origin.EXPLICIT);
        }
        String property = properties.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new Resolved(normalise(Path.of(property)), Origin.SYSTEM_PROPERTY);
        }
        String variable = environment.get(ENVIRONMENT);
        if (variable != null && !variable.isBlank()) {
            return new Resolved(normalise(Path.of(variable)), Origin.ENVIRONMENT);
        }
        return new Resolved(defaultCacheDirectory(home), Origin.USER_CACHE);
    }

    /** {@code home/.dl4j-admm/data}. */
    public static Path defaultCacheDirectory(Path home) {
        return normalise(home.resolve(".dl4j-admm").resolve("data"));
    }

    private static Path normalise(Path path) {
        return path.toAbsolutePath().normalize();
    }
}
