package io.github.dl4jadmm.distributed;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ranks as threads of one JVM: each message is copied into a queue per (sender, receiver, tag). The reference
 * implementation of {@link MessageTransport}; distributed runs on it give exactly the iterates of the single-JVM
 * engine, which is what the multi-process transports are tested against.
 *
 * <pre>{@code
 * InJvmTransport.Hub hub = InJvmTransport.hub(3);
 * MessageTransport rank0 = hub.transport(0);   // hand one to each rank's thread
 * }</pre>
 */
public final class InJvmTransport implements MessageTransport {

    private static final long POLL_MILLIS = 5;

    /** The shared mailboxes of one run. */
    public static final class Hub {
        private final int size;
        private final Map<Key, BlockingQueue<ByteBuffer>> queues = new ConcurrentHashMap<>();
        private final String[] aborted;
        private final boolean[] closed;

        private Hub(int size) {
            this.size = size;
            this.aborted = new String[size];
            this.closed = new boolean[size];
        }

        /** The transport of {@code rank}. */
        public InJvmTransport transport(int rank) {
            if (rank < 0 || rank >= size) {
                throw new IllegalArgumentException("rank must be in 0.." + (size - 1) + ", got " + rank);
            }
            return new InJvmTransport(this, rank);
        }

        /** Number of ranks. */
        public int size() {
            return size;
        }

        private BlockingQueue<ByteBuffer> queue(int from, int to, int tag) {
            return queues.computeIfAbsent(new Key(from, to, tag), k -> new LinkedBlockingQueue<>());
        }

        private synchronized String abortReason(int rank) {
            return aborted[rank];
        }

        private synchronized void markAborted(int rank, String reason) {
            if (aborted[rank] == null) {
                aborted[rank] = reason == null ? "no reason given" : reason;
            }
        }

        private synchronized boolean isClosed(int rank) {
            return closed[rank];
        }

        private synchronized void markClosed(int rank) {
            closed[rank] = true;
        }
    }

    private record Key(int from, int to, int tag) {
    }

    /** Mailboxes for {@code size} ranks. */
    public static Hub hub(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a run needs at least one rank, got " + size);
        }
        return new Hub(size);
    }

    private final Hub hub;
    private final int rank;
    private final AtomicLong bytes = new AtomicLong();

    private InJvmTransport(Hub hub, int rank) {
        this.hub = hub;
        this.rank = rank;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return hub.size;
    }

    @Override
    public void send(int peer, int tag, ByteBuffer message) {
        checkPeer(peer);
        Objects.requireNonNull(message, "message");
        if (hub.isClosed(rank)) {
            throw new TransportException("rank " + rank + " cannot send to rank " + peer + ": its transport is closed");
        }
        if (hub.abortReason(rank) != null) {
            throw new TransportException("rank " + rank + " cannot send to rank " + peer + ": it aborted ("
                    + hub.abortReason(rank) + ")");
        }
        ByteBuffer copy = ByteBuffer.allocate(message.remaining());
        copy.put(message.duplicate()).flip();
        bytes.addAndGet(copy.remaining());
        hub.queue(rank, peer, tag).add(copy);
    }

    @Override
    public ByteBuffer receive(int peer, int tag, Duration timeout) {
        checkPeer(peer);
        BlockingQueue<ByteBuffer> queue = hub.queue(peer, rank, tag);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                ByteBuffer message = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (message != null) {
                    return message;
                }
                String reason = hub.abortReason(peer);
                if (reason != null) {
                    throw new PeerFailedException(peer, "rank " + peer + " stopped the run: " + reason);
                }
                if (hub.isClosed(peer)) {
                    throw new PeerFailedException(peer, "rank " + rank + " waits for tag " + tag + " from rank "
                            + peer + ", which has closed its transport");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw TransportTimeoutException.noMessage(rank, peer, tag, timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("rank " + rank + " was interrupted while waiting for rank " + peer, e);
        }
    }

    @Override
    public void abort(String reason) {
        hub.markAborted(rank, reason);
    }

    @Override
    public long bytesSent() {
        return bytes.get();
    }

    @Override
    public long wireBytesSent() {
        return bytes.get();
    }

    @Override
    public void close() {
        hub.markClosed(rank);
    }

    private void checkPeer(int peer) {
        if (peer < 0 || peer >= hub.size || peer == rank) {
            throw new IllegalArgumentException("rank " + rank + ": peer must be another rank in 0.." + (hub.size - 1)
                    + ", got " + peer);
        }
    }
}
