package io.github.dl4jadmm.trainer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HugePagesTest {

    private static final long LARGE = 3L << 30;
    private static final String MADVISE = "always [madvise] never\n";

    @Test
    void aLargeRunOnLinuxInMadviseModeWithoutTheTunableIsAdvised() {
        String advice = HugePages.advice("Linux", MADVISE, null, LARGE);
        assertNotNull(advice);
        assertTrue(advice.contains("3.0 GiB"), advice);
        assertTrue(advice.contains("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), advice);
    }

    @Test
    void otherTunablesAreKeptInTheAdvice() {
        String advice = HugePages.advice("Linux", MADVISE, "glibc.malloc.arena_max=2", LARGE);
        assertTrue(advice.contains("GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"), advice);
    }

    @Test
    void nothingToAdviseWhereTheAdviceCannotHelpOrIsTaken() {
        assertNull(HugePages.advice("Linux", MADVISE, "glibc.malloc.hugetlb=1", LARGE), "already set");
        assertNull(HugePages.advice("Linux", "[always] madvise never", null, LARGE), "every mapping gets them");
        assertNull(HugePages.advice("Linux", "always madvise [never]", null, LARGE), "the kernel gives none");
        assertNull(HugePages.advice("Linux", null, null, LARGE), "no transparent huge pages in this kernel");
        assertNull(HugePages.advice("Mac OS X", MADVISE, null, LARGE), "not glibc");
        assertNull(HugePages.advice("Linux", MADVISE, null, HugePages.ADVICE_BYTES - 1), "a small run");
    }
}
