package io.github.dl4jadmm.graph.download;

/**
 * The 32-bit Mersenne Twister MT19937 with the reference {@code init_genrand} seeding. Both generators the
 * published splits were drawn with are this one: {@code numpy.random.RandomState(seed)} (legacy seeding of an
 * integer seed) and torch's CPU generator after {@code torch.manual_seed(seed)}, so one class reproduces both.
 */
final class Mt19937 {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int index;

    /** A generator seeded with the low 32 bits of {@code seed}, as {@code init_genrand} does. */
    Mt19937(long seed) {
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit output ({@code genrand_int32}) as an unsigned value. */
    long nextUnsignedInt() {
        if (index >= N) {
            twist();
        }
        int y = state[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return Integer.toUnsignedLong(y);
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        index = 0;
    }
}
