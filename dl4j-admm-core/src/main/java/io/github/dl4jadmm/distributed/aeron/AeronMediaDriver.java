package io.github.dl4jadmm.distributed.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.github.dl4jadmm.distributed.aeron.AeronTransportOptions.IdleStrategyKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one embedded Aeron media driver of this JVM and its client, shared by every {@link AeronTransport} and
 * reference-counted: the first {@link #acquire} starts it, the last {@link #release} stops it and removes its
 * directory. It runs in {@link ThreadingMode#SHARED} mode (one thread for conductor, sender and receiver) with an idle
 * strategy that parks, so that an idle run costs little CPU. Its threads are daemons, and a shutdown hook stops it and
 * removes the directory if the JVM exits while transports are still open.
 */
final class AeronMediaDriver {

    private static final Logger log = LoggerFactory.getLogger(AeronMediaDriver.class);

    static final String DIRECTORY_PREFIX = "dl4j-admm-aeron-";
    static final String ADD_EXPORTS_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** /dev/shm is used for the default directory only when it has this much room (log buffers are sparse files). */
    private static final long MIN_SHM_FREE_BYTES = 256L * 1024 * 1024;

    private static final Object LOCK = new Object();
    private static AeronMediaDriver running;
    private static Path defaultDirectory;

    private final Path directory;
    private final IdleStrategyKind idleStrategy;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Thread shutdownHook;
    private int references;

    private AeronMediaDriver(Path directory, IdleStrategyKind idleStrategy, MediaDriver driver, Aeron aeron) {
        this.directory = directory;
        this.idleStrategy = idleStrategy;
        this.driver = driver;
        this.aeron = aeron;
        this.shutdownHook = new Thread(this::stopAtExit, "aeron-media-driver-cleanup");
    }

    /**
     * A reference to the JVM's driver, started in {@code directory} ({@code null}: {@link #defaultDirectory()}) if
     * none runs; release it with {@link #release()}.
     *
     * @throws IllegalStateException if the JVM lacks the flag Aeron needs, or a driver already runs with another
     *                               directory or idle strategy
     */
    static AeronMediaDriver acquire(Path directory, IdleStrategyKind idleStrategy) {
        checkJvmFlags();
        Path dir = (directory == null ? defaultDirectory() : directory).toAbsolutePath().normalize();
        synchronized (LOCK) {
            if (running == null) {
                running = start(dir, idleStrategy);
            } else if (!running.directory.equals(dir) || running.idleStrategy != idleStrategy) {
                throw new IllegalStateException("the Aeron media driver of this JVM already runs in " + running.directory
                        + " with idle strategy " + running.idleStrategy + "; a transport asked for " + dir + " and "
                        + idleStrategy + ": all transports of one JVM must use the same aeronDir and idleStrategy");
            }
            running.references++;
            return running;
        }
    }

    /** Gives back one reference; the last one closes the client and the driver and deletes the directory. */
    void release() {
        synchronized (LOCK) {
            if (references == 0) {
                return;
            }
            references--;
            if (references > 0) {
                return;
            }
            running = null;
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook will find the driver stopped
            }
            stop();
        }
    }

    private void stop() {
        CloseHelper.closeAll(aeron, driver);
        deleteRecursively(directory);
    }

    private void stopAtExit() {
        synchronized (LOCK) {
            if (running != this) {
                return;
            }
            running = null;
            log.warn("the JVM exits with {} Aeron transport(s) still open: stopping the media driver in {}", references,
                    directory);
            stop();
        }
    }

    /** The Aeron client connected to this driver. */
    Aeron aeron() {
        return aeron;
    }

    /** Where the driver keeps its files. */
    Path directory() {
        return directory;
    }

    /** The directory of the driver now running in this JVM, or {@code null} if none runs. */
    static Path runningDirectory() {
        synchronized (LOCK) {
            return running == null ? null : running.directory;
        }
    }

    /**
     * {@code dl4j-admm-aeron-<pid>} under {@code /dev/shm} if it exists, is writable and has at least 256 MiB free,
     * else under {@code java.io.tmpdir}. Chosen once per JVM.
     */
    static Path defaultDirectory() {
        synchronized (LOCK) {
            if (defaultDirectory == null) {
                Path parent = Path.of(System.getProperty("java.io.tmpdir"));
                Path shm = Path.of("/dev/shm");
                try {
                    if (Files.isDirectory(shm) && Files.isWritable(shm)
                            && Files.getFileStore(shm).getUsableSpace() >= MIN_SHM_FREE_BYTES) {
                        parent = shm;
                    }
                } catch (IOException e) {
                    log.debug("cannot inspect /dev/shm, using {}", parent, e);
                }
                defaultDirectory = parent.resolve(DIRECTORY_PREFIX + ProcessHandle.current().pid()).toAbsolutePath();
            }
            return defaultDirectory;
        }
    }

    /** A new idle strategy of the given kind (strategies keep state: one per thread or loop). */
    static IdleStrategy idleStrategy(IdleStrategyKind kind) {
        return switch (kind) {
            case BACKOFF -> new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10),
                    TimeUnit.MILLISECONDS.toNanos(1));
            case SLEEPING -> new SleepingMillisIdleStrategy(1);
        };
    }

    /**
     * Aeron (through Agrona, since 1.47) reads {@code jdk.internal.misc.Unsafe}; without the export it fails deep in
     * a static initialiser, so check first and say what to add.
     */
    static void checkJvmFlags() {
        if (!Object.class.getModule().isExported("jdk.internal.misc", UnsafeBuffer.class.getModule())) {
            throw new IllegalStateException("Aeron needs the JVM option " + ADD_EXPORTS_FLAG + ": add it to the java "
                    + "command line (Maven tests: Surefire's argLine; Spark: spark.driver.extraJavaOptions and "
                    + "spark.executor.extraJavaOptions)");
        }
    }

    /** A driver whose heartbeat is older than this has stopped (Aeron's own default driver timeout). */
    private static final long STALE_DRIVER_MILLIS = 10_000;

    /**
     * Deletes the directories that drivers of this project left beside {@code directory} when their JVM was killed
     * ({@code kill -9} leaves ~47 MB in {@code /dev/shm}). A directory counts as left behind when its driver's
     * heartbeat is stale, which Aeron checks from the directory's own files, so a live driver of another JVM, even
     * one in another PID namespace, is never touched.
     */
    static void removeStaleSiblings(Path directory) {
        Path parent = directory.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        try (java.util.stream.Stream<Path> siblings = Files.list(parent)) {
            for (Path sibling : siblings.filter(p -> p.getFileName().toString().startsWith(DIRECTORY_PREFIX))
                    .filter(p -> !p.equals(directory)).toList()) {
                // a directory that is still young may belong to a driver that is starting right now
                long age = System.currentTimeMillis() - Files.getLastModifiedTime(sibling).toMillis();
                if (age > STALE_DRIVER_MILLIS
                        && !io.aeron.CommonContext.isDriverActive(sibling.toFile(), STALE_DRIVER_MILLIS, message -> { })) {
                    log.info("removing {}, left behind by an Aeron media driver that stopped without cleaning up",
                            sibling);
                    deleteRecursively(sibling);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not look for stale Aeron directories beside {}: {}", directory, e.toString());
        }
    }

    private static AeronMediaDriver start(Path directory, IdleStrategyKind idleStrategy) {
        removeStaleSiblings(directory);
        MediaDriver.Context driverContext = new MediaDriver.Context()
                .sharedThreadFactory(AeronMediaDriver::daemonThread)
                .asyncExecutorThreadFactory(AeronMediaDriver::daemonThread)
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idleStrategy(idleStrategy))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .errorHandler(e -> log.warn("Aeron media driver in {}: {}", directory, e.toString()));
        MediaDriver driver = MediaDriver.launch(driverContext);
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(driver.aeronDirectoryName())
                    .threadFactory(AeronMediaDriver::daemonThread)
                    .errorHandler(e -> log.warn("Aeron client of {}: {}", directory, e.toString())));
            log.debug("started an Aeron media driver in {}", directory);
            AeronMediaDriver started = new AeronMediaDriver(directory, idleStrategy, driver, aeron);
            Runtime.getRuntime().addShutdownHook(started.shutdownHook);
            return started;
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            deleteRecursively(directory);
            throw e;
        }
    }

    private static Thread daemonThread(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        return thread;
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("could not delete the Aeron directory {}: {}", directory, e.toString());
        }
    }
}
