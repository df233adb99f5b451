package io.github.dl4jadmm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BitPackerTest {

    private static final int[] LENGTHS = {0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1001};

    @Test
    void roundTripsEveryWidthAndEdgeLengthWithExactSize() {
        Random random = new Random(1);
        for (int bits = 1; bits <= 16; bits++) {
            for (int n : LENGTHS) {
                int[] codes = randomCodes(random, n, bits);
                byte[] packed = BitPacker.pack(codes, bits);
                int expectedSize = (int) Math.ceil(n * bits / 8.0);
                assertEquals(expectedSize, packed.length, "size for n=" + n + ", b=" + bits);
                assertEquals(expectedSize, BitPacker.packedBytes(n, bits));
                assertArrayEquals(codes, BitPacker.unpack(packed, n, bits), "round trip for n=" + n + ", b=" + bits);
            }
        }
    }

    @Test
    void roundTripsThroughBuffersAtAnOffsetIncludingReadOnlyOnes() {
        Random random = new Random(2);
        for (int bits = 1; bits <= 16; bits++) {
            int n = 37;
            int[] codes = randomCodes(random, n, bits);
            ByteBuffer buf = ByteBuffer.allocate(3 + BitPacker.packedBytes(n, bits) + 2);
            buf.position(3);
            BitPacker.pack(codes, n, bits, buf);
            assertEquals(3 + BitPacker.packedBytes(n, bits), buf.position());
            ByteBuffer in = buf.asReadOnlyBuffer();
            in.position(3);
            int[] back = new int[n];
            BitPacker.unpack(in, n, bits, back);
            assertArrayEquals(codes, back);
            assertEquals(buf.position(), in.position());
        }
    }

    @Test
    void layoutIsALittleEndianBitStream() {
        assertArrayEquals(new byte[] {0x21, 0x03}, BitPacker.pack(new int[] {1, 2, 3}, 4));
        assertArrayEquals(new byte[] {0x34, 0x12, (byte) 0xFF, (byte) 0xFF}, BitPacker.pack(new int[] {0x1234, 0xFFFF}, 16));
        // 3-bit codes 5, 1, 7: stream bits 101 100 111 (LSB first) -> byte0 = 0b11_001_101, byte1 = 0b1
        assertArrayEquals(new byte[] {(byte) 0b11001101, 0b1}, BitPacker.pack(new int[] {5, 1, 7}, 3));
    }

    @Test
    void rejectsBadWidthsOversizedCodesAndTruncatedInput() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> BitPacker.pack(new int[1], 0));
        assertTrue(zero.getMessage().contains("1..16"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BitPacker.pack(new int[1], 17));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> BitPacker.pack(new int[] {0, 8}, 3));
        assertTrue(big.getMessage().contains("does not fit 3 bits"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BitPacker.pack(new int[] {-1}, 16));
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> BitPacker.unpack(new byte[2], 3, 8));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    }

    private static int[] randomCodes(Random random, int n, int bits) {
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = random.nextInt(1 << bits);
        }
        if (n > 0) {
            codes[0] = (1 << bits) - 1; // the all-ones code exercises every bit
        }
        return codes;
    }
}
