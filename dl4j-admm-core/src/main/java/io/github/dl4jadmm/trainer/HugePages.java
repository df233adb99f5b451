package io.github.dl4jadmm.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Advice on transparent huge pages for ND4J's off-heap arrays, given once per JVM to a run that allocates at least
 * {@link #ADVICE_BYTES}.
 *
 * <p>Why: glibc serves a large ND4J array with fresh pages from {@code mmap} (always above 32 MiB) and unmaps
 * them when the array is freed, and the first touch of each 4 KiB page is a page fault. On the 2-core build machine (a virtual
 * machine) a fault costs about 10 microseconds, so 20 arrays of 40 MB take 2.0 s to allocate and zero, where
 * writing them again takes 0.04 s; the allocations are most of the time an engine takes to build or to resume from
 * a checkpoint (a rank of 5 layers of 10,000 x 1,000: 10.6 s to resume, JFR: mostly {@code allocateDataBuffer}).
 * With glibc 2.35 or later, {@value #TUNABLE} in {@code GLIBC_TUNABLES} makes malloc ask for transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)}), one fault per 2 MiB: the 20 arrays then take 0.17 s and the resume 1.7-6.7 s.
 * It matters only where the kernel's mode ({@value #THP_MODE}) is {@code madvise}, the default of many
 * distributions: with {@code always} every large mapping gets huge pages anyway, with {@code never} none can.
 * Glibc reads the tunable when the process starts, so it has to be in the environment of the {@code java} command
 * (a rank's, a Spark executor's: {@code spark.executorEnv.GLIBC_TUNABLES}); a glibc that does not know it ignores it.
 */
public final class HugePages {

    /** The glibc tunable that makes malloc back large allocations with transparent huge pages. */
    public static final String TUNABLE = "glibc.malloc.hugetlb=1";

    /** Where Linux states its transparent huge page mode, e.g. {@code always [madvise] never}. */
    static final String THP_MODE = "/sys/kernel/mm/transparent_hugepage/enabled";

    /** Runs that allocate less are not told (their allocations take well under a second). */
    public static final long ADVICE_BYTES = 1L << 30;

    private static final Logger log = LoggerFactory.getLogger(HugePages.class);
    private static final AtomicBoolean ADVISED = new AtomicBoolean();

    private HugePages() {
    }

    /**
     * Logs the advice (a warning, once per JVM) when a run of {@code bytes} off-heap bytes would allocate faster
     * with {@link #TUNABLE} and this process was started without it.
     */
    public static void adviseFor(long bytes) {
        if (bytes < ADVICE_BYTES || ADVISED.get()) {
            return;
        }
        String advice = advice(System.getProperty("os.name", ""), kernelMode(), System.getenv("GLIBC_TUNABLES"),
                bytes);
        if (advice != null && ADVISED.compareAndSet(false, true)) {
            log.warn(advice);
        }
    }

    /**
     * The advice for a process on {@code osName} whose kernel reports {@code thpMode} (the content of
     * {@value #THP_MODE}, or null when it cannot be read) and whose {@code GLIBC_TUNABLES} is {@code tunables}
     * (or null), about to allocate {@code bytes}; null when there is nothing to advise.
     */
    static String advice(String osName, String thpMode, String tunables, long bytes) {
        if (bytes < ADVICE_BYTES || !osName.toLowerCase(Locale.ROOT).startsWith("linux") || thpMode == null
                || !thpMode.contains("[madvise]")) {
            return null;
        }
        if (tunables != null && tunables.contains("glibc.malloc.hugetlb=")) {
            return null;
        }
        return String.format(Locale.ROOT, "this run allocates %.1f GiB off-heap in fresh 4 KiB pages (the kernel "
                + "gives transparent huge pages only on request: %s). Starting java with GLIBC_TUNABLES=%s in its "
                + "environment (glibc 2.35 or later) backs them with 2 MiB pages, which allocates an engine several "
                + "times faster, its resume from a checkpoint above all (README, \"Huge pages\")", bytes / (double) (1L << 30),
                THP_MODE, tunables == null ? TUNABLE : tunables + ":" + TUNABLE);
    }

    private static String kernelMode() {
        try {
            return Files.readString(Path.of(THP_MODE));
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
