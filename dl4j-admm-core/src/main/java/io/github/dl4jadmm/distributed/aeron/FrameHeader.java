package io.github.dl4jadmm.distributed.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 40-byte header in front of every frame an {@link AeronTransport} hands to Aeron (little-endian):
 *
 * <pre>
 *  0 int   magic        "ADM1", to ignore stray traffic on the port
 *  4 byte  kind         HELLO, DATA, ABORT or FIN
 *  5 byte  (unused)
 *  6 short (unused)
 *  8 int   sender rank
 * 12 int   tag          DATA only
 * 16 long  sequence     DATA only: number of the message among those from this sender under this tag, from 0
 * 24 int   chunk index  DATA only: 0 .. chunk count - 1
 * 28 int   chunk count  DATA only: at least 1 (an empty message is one empty chunk)
 * 32 int   total length bytes of the whole message (for HELLO and ABORT: of the body)
 * 36 int   CRC32        DATA only: of the whole message, checked after reassembly
 * </pre>
 *
 * The body of an ABORT is the sender's run id (int length, UTF-8) followed by the reason (UTF-8); a FIN has none.
 * A message longer than a chunk travels as consecutive DATA frames; Aeron fragments each frame into MTU-sized
 * datagrams itself, and {@link io.aeron.FragmentAssembler} puts each frame back together.
 */
final class FrameHeader {

    static final int LENGTH = 40;
    static final int MAGIC = 0x314D4441;

    static final byte HELLO = 1;
    static final byte DATA = 2;
    static final byte ABORT = 3;
    static final byte FIN = 4;

    private static final int KIND_OFFSET = 4;
    private static final int SENDER_OFFSET = 8;
    private static final int TAG_OFFSET = 12;
    private static final int SEQUENCE_OFFSET = 16;
    private static final int CHUNK_INDEX_OFFSET = 24;
    private static final int CHUNK_COUNT_OFFSET = 28;
    private static final int TOTAL_LENGTH_OFFSET = 32;
    static final int CRC_OFFSET = 36;

    private FrameHeader() {
    }

    /** Writes a header at {@code offset} of {@code buffer}. */
    static void write(MutableDirectBuffer buffer, int offset, byte kind, int sender, int tag, long sequence,
                      int chunkIndex, int chunkCount, int totalLength, int crc) {
        buffer.putInt(offset, MAGIC);
        buffer.putByte(offset + KIND_OFFSET, kind);
        buffer.putByte(offset + KIND_OFFSET + 1, (byte) 0);
        buffer.putShort(offset + KIND_OFFSET + 2, (short) 0);
        buffer.putInt(offset + SENDER_OFFSET, sender);
        buffer.putInt(offset + TAG_OFFSET, tag);
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + CHUNK_INDEX_OFFSET, chunkIndex);
        buffer.putInt(offset + CHUNK_COUNT_OFFSET, chunkCount);
        buffer.putInt(offset + TOTAL_LENGTH_OFFSET, totalLength);
        buffer.putInt(offset + CRC_OFFSET, crc);
    }

    /** Whether a frame of {@code length} bytes at {@code offset} starts with a header of this transport. */
    static boolean isValid(DirectBuffer buffer, int offset, int length) {
        return length >= LENGTH && buffer.getInt(offset) == MAGIC;
    }

    static byte kind(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + KIND_OFFSET);
    }

    static int sender(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + SENDER_OFFSET);
    }

    static int tag(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + TAG_OFFSET);
    }

    static long sequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SEQUENCE_OFFSET);
    }

    static int chunkIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + CHUNK_INDEX_OFFSET);
    }

    static int chunkCount(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + CHUNK_COUNT_OFFSET);
    }

    static int totalLength(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + TOTAL_LENGTH_OFFSET);
    }

    static int crc(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + CRC_OFFSET);
    }

    static String kindName(byte kind) {
        return switch (kind) {
            case HELLO -> "HELLO";
            case DATA -> "DATA";
            case ABORT -> "ABORT";
            case FIN -> "FIN";
            default -> "kind " + kind;
        };
    }
}
