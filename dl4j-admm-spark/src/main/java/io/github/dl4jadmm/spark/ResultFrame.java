package io.github.dl4jadmm.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The framing a barrier task's result travels in: a tag naming what the bytes hold (and its format version), the
 * stage attempt that produced them, then the body. The driver reads the attempt without decoding the body, and bytes
 * of one kind handed to the decoder of another fail on the tag rather than being misread.
 */
final class ResultFrame {

    /** Writes a result's body. */
    @FunctionalInterface
    interface BodyWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a result's body. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private final int tag;
    private final String kind;

    /**
     * @param tag  written first; different for every kind of result and every change of its format
     * @param kind what the bytes hold, for messages (e.g. "rank result")
     */
    ResultFrame(int tag, String kind) {
        this.tag = tag;
        this.kind = kind;
    }

    byte[] encode(int stageAttempt, int rank, BodyWriter body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(tag);
            out.writeInt(stageAttempt);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " could not serialise its " + kind, e);
        }
        return bytes.toByteArray();
    }

    /** The stage attempt that produced {@code bytes}. */
    int stageAttempt(byte[] bytes) {
        return afterTag(bytes, DataInputStream::readInt);
    }

    /** The body of {@code bytes}. */
    <T> T decode(byte[] bytes, BodyReader<T> body) {
        return afterTag(bytes, in -> {
            in.readInt(); // stage attempt
            return body.read(in);
        });
    }

    private <T> T afterTag(byte[] bytes, BodyReader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int read = in.readInt();
            if (read != tag) {
                throw new IllegalArgumentException(String.format("not a %s (tag 0x%08x expected, read 0x%08x)",
                        kind, tag, read));
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("truncated " + kind, e);
        }
    }
}
