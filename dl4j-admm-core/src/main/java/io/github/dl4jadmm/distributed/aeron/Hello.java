package io.github.dl4jadmm.distributed.aeron;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The body of a HELLO frame: what a rank claims about the run, checked by the receiving peer before any data flow.
 *
 * @param size         the sender's number of ranks
 * @param receiver     the rank the sender believes it is talking to (its peer list put that rank at this endpoint)
 * @param listDigest   CRC32 of the sender's whole peer list, so that ranks given different lists notice
 * @param acknowledged whether the sender has already received a valid HELLO from the receiver
 * @param runId        the sender's run id
 */
record Hello(int size, int receiver, int listDigest, boolean acknowledged, String runId) {

    /** Writes the body at {@code offset}; returns its length. */
    int write(MutableDirectBuffer buffer, int offset) {
        byte[] id = runId.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(offset, size);
        buffer.putInt(offset + 4, receiver);
        buffer.putInt(offset + 8, listDigest);
        buffer.putByte(offset + 12, (byte) (acknowledged ? 1 : 0));
        buffer.putInt(offset + 13, id.length);
        buffer.putBytes(offset + 17, id);
        return 17 + id.length;
    }

    /** Reads a body of {@code length} bytes, or returns {@code null} if it is malformed. */
    static Hello read(DirectBuffer buffer, int offset, int length) {
        if (length < 17) {
            return null;
        }
        int idLength = buffer.getInt(offset + 13);
        if (idLength < 0 || idLength != length - 17) {
            return null;
        }
        byte[] id = new byte[idLength];
        buffer.getBytes(offset + 17, id);
        return new Hello(buffer.getInt(offset), buffer.getInt(offset + 4), buffer.getInt(offset + 8),
                buffer.getByte(offset + 12) != 0, new String(id, StandardCharsets.UTF_8));
    }

    /** CRC32 of the endpoints joined by commas. */
    static int digest(List<String> endpointsByRank) {
        CRC32 crc = new CRC32();
        crc.update(String.join(",", endpointsByRank).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
