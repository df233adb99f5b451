package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.TransportTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.spark.TaskContext;

/**
 * A transport whose {@link #receive} gives up as soon as Spark kills the task: Spark only sets a flag when another
 * rank of the barrier stage fails, so a rank waiting for a neighbour's message polls it between short waits instead
 * of waiting out the whole timeout.
 */
final class InterruptibleTransport implements MessageTransport {

    /** How long one wait for a message lasts before the kill flag is checked again. */
    static final Duration SLICE = Duration.ofMillis(200);

    private final MessageTransport transport;
    private final TaskContext task;

    InterruptibleTransport(MessageTransport transport, TaskContext task) {
        this.transport = transport;
        this.task = task;
    }

    @Override
    public int rank() {
        return transport.rank();
    }

    @Override
    public int size() {
        return transport.size();
    }

    @Override
    public void send(int peer, int tag, ByteBuffer message) {
        task.killTaskIfInterrupted();
        transport.send(peer, tag, message);
    }

    @Override
    public ByteBuffer receive(int peer, int tag, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            task.killTaskIfInterrupted();
            long slice = Math.max(1, Math.min(deadline - System.nanoTime(), SLICE.toNanos()));
            try {
                return transport.receive(peer, tag, Duration.ofNanos(slice));
            } catch (TransportTimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new TransportTimeoutException("rank " + rank() + ": no message from rank " + peer
                            + " under tag " + tag + " within " + timeout.toMillis() + " ms");
                }
            }
        }
    }

    @Override
    public void abort(String reason) {
        transport.abort(reason);
    }

    @Override
    public long bytesSent() {
        return transport.bytesSent();
    }

    @Override
    public long wireBytesSent() {
        return transport.wireBytesSent();
    }

    @Override
    public void close() {
        transport.close();
    }
}
