package io.github.dl4jadmm.distributed.aeron;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.status.SenderPos;
import io.aeron.logbuffer.Header;
import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.PeerFailedException;
import io.github.dl4jadmm.distributed.TransportException;
import io.github.dl4jadmm.distributed.TransportTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ranks as processes (or threads) that exchange messages over Aeron UDP: one {@link Subscription} per rank on its
 * own endpoint, one {@link ExclusivePublication} per peer, all on the JVM's one embedded media driver.
 *
 * <p>Created in two steps, so that a rank can bind an ephemeral port before the endpoints are exchanged (e.g. by
 * Spark's barrier {@code allGather} or a {@link io.github.dl4jadmm.distributed.Rendezvous}):
 *
 * <pre>{@code
 * try (AeronTransport transport = AeronTransport.bind(rank, size, "10.0.0.5:0", options)) {
 *     List<String> endpoints = rendezvous.exchangeEndpoints(rank, size, transport.localEndpoint(), timeout);
 *     transport.connect(endpoints, Set.of(rank - 1, rank + 1), Duration.ofSeconds(30));  // chain neighbours
 *     transport.send(rank + 1, tag, message);
 * }
 * }</pre>
 *
 * <p>{@link #connect} performs a handshake (HELLO) with every peer: both sides must name the same run id, number of
 * ranks and peer list, and each must be the rank the other expects at that endpoint. Messages are split into chunks
 * of at most {@link AeronTransportOptions#chunkSize()} bytes (see {@link FrameHeader}), numbered per (peer, tag) and
 * checked with a CRC32 after reassembly: a lost or corrupt message makes the receive on that peer and tag fail
 * instead of returning wrong bytes. A background thread ({@code aeron-transport-rank-R}) drains the subscription
 * into per-(peer, tag) queues, so two neighbours sending large messages to each other never block each other.
 * {@link #close()} ends with a FIN handshake, so that the last messages are not lost when the driver stops.
 *
 * <p>Needs the JVM option {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} (Aeron 1.47 and later);
 * {@link #bind} says so when it is missing. The media driver's directory is {@link AeronTransportOptions#aeronDir()}
 * or {@code dl4j-admm-aeron-<pid>} under {@code /dev/shm} (else {@code java.io.tmpdir}); it is removed when the last
 * transport of the JVM closes.
 */
public final class AeronTransport implements MessageTransport {

    private static final Logger log = LoggerFactory.getLogger(AeronTransport.class);

    private static final int STREAM_ID = 0x41444D;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long HELLO_INTERVAL_MILLIS = 20;
    private static final long WAIT_SLICE_MILLIS = 5;
    private static final Duration LOCAL_ADDRESS_WAIT = Duration.ofSeconds(5);
    /** How long ABORT and FIN may wait, for all peers together (for a publication to connect, or to be taken). */
    private static final Duration CONTROL_FRAME_WAIT = Duration.ofSeconds(1);
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(1);
    private static final int MAX_REASON_CHARS = 2000;

    private final int rank;
    private final int size;
    private final AeronTransportOptions options;
    private final AeronMediaDriver driver;
    private final Subscription subscription;
    private final String localEndpoint;
    private final Object stateLock = new Object();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong wireBytesSent = new AtomicLong();
    private final AtomicBoolean corruptNextDataFrame = new AtomicBoolean();
    private final AtomicBoolean skipNextSequenceNumber = new AtomicBoolean();

    /** Set once by {@link #connect}, before the poller starts. */
    private volatile Map<Integer, PeerLink> peers = Map.of();
    private volatile List<String> endpoints = List.of();
    private volatile int listDigest;
    private volatile String handshakeFailure;
    private volatile String abortReason;
    private volatile boolean connectCalled;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile boolean polling;
    private Thread poller;

    private AeronTransport(int rank, int size, AeronTransportOptions options, AeronMediaDriver driver,
                           Subscription subscription, String localEndpoint) {
        this.rank = rank;
        this.size = size;
        this.options = options;
        this.driver = driver;
        this.subscription = subscription;
        this.localEndpoint = localEndpoint;
    }

    /**
     * Step one: starts (or joins) the JVM's media driver and listens on {@code bindEndpoint}.
     *
     * @param rank         this rank, {@code 0 .. size-1}
     * @param size         number of ranks of the run
     * @param bindEndpoint {@code host:port} to receive on; port 0 picks a free port ({@link #localEndpoint()} tells
     *                     which)
     * @param options      the settings, the same run id on every rank
     * @throws IllegalArgumentException if rank, size or endpoint are invalid
     * @throws IllegalStateException    if the JVM lacks {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}
     * @throws TransportException       if the endpoint cannot be bound
     */
    public static AeronTransport bind(int rank, int size, String bindEndpoint, AeronTransportOptions options) {
        if (size < 1) {
            throw new IllegalArgumentException("a run needs at least one rank, got " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank must be in 0.." + (size - 1) + ", got " + rank);
        }
        checkEndpoint("the bind endpoint", bindEndpoint, true);
        Objects.requireNonNull(options, "options");
        AeronMediaDriver driver = AeronMediaDriver.acquire(options.aeronDir(), options.idleStrategy());
        Subscription subscription = null;
        try {
            String channel = new ChannelUriStringBuilder().media("udp").endpoint(bindEndpoint).mtu(options.mtu())
                    .build();
            subscription = driver.aeron().addSubscription(channel, STREAM_ID);
            String local = awaitLocalEndpoint(rank, subscription, bindEndpoint);
            log.debug("rank {} listens on {}", rank, local);
            return new AeronTransport(rank, size, options, driver, subscription, local);
        } catch (RuntimeException e) {
            if (subscription != null) {
                subscription.close();
            }
            driver.release();
            if (e instanceof TransportException) {
                throw e;
            }
            throw new TransportException("rank " + rank + " could not listen on " + bindEndpoint + ": " + e.getMessage(),
                    e);
        }
    }

    /** Where this rank receives, {@code host:port} with the actual port; hand it to the other ranks. */
    public String localEndpoint() {
        return localEndpoint;
    }

    /** {@link #connect(List, Set, Duration)} with {@link AeronTransportOptions#connectTimeout()}. */
    public void connect(List<String> endpointsByRank, Set<Integer> peerRanks) {
        connect(endpointsByRank, peerRanks, options.connectTimeout());
    }

    /**
     * Step two: opens a publication to every peer and shakes hands with each (HELLO both ways, each confirmed by the
     * other). Returns once every peer answered; only then may {@link #send} and {@link #receive} be used. If it fails,
     * the transport has told the peers it could reach ({@link #abort}); close it.
     *
     * @param endpointsByRank {@code host:port} of every rank, indexed by rank, the same list on every rank
     * @param peerRanks       the ranks this rank talks to (e.g. its chain neighbours)
     * @param timeout         how long to wait for all peers
     * @throws IllegalArgumentException  if the list has the wrong length, an entry is not {@code host:port}, or a peer
     *                                   rank is invalid
     * @throws TransportTimeoutException if some peers did not answer in time (names them and their endpoints)
     * @throws PeerFailedException       if a peer stopped the run during the handshake
     * @throws TransportException        if a peer belongs to another run or was given another peer list
     */
    public void connect(List<String> endpointsByRank, Set<Integer> peerRanks, Duration timeout) {
        Objects.requireNonNull(endpointsByRank, "endpointsByRank");
        Objects.requireNonNull(peerRanks, "peerRanks");
        Objects.requireNonNull(timeout, "timeout");
        if (endpointsByRank.size() != size) {
            throw new IllegalArgumentException("rank " + rank + ": the run has " + size + " ranks but the peer list names "
                    + endpointsByRank.size() + " endpoints: " + endpointsByRank);
        }
        for (int r = 0; r < size; r++) {
            checkEndpoint("entry " + r + " of the peer list", endpointsByRank.get(r), false);
        }
        for (Integer peer : peerRanks) {
            if (peer == null || peer < 0 || peer >= size || peer == rank) {
                throw new IllegalArgumentException("rank " + rank + ": a peer must be another rank in 0.." + (size - 1)
                        + ", got " + peer + " in " + peerRanks);
            }
        }
        synchronized (stateLock) {
            if (closed) {
                throw new IllegalStateException("rank " + rank + ": the transport is closed");
            }
            if (connectCalled) {
                throw new IllegalStateException("rank " + rank + ": connect was already called");
            }
            connectCalled = true;
        }
        String own = endpointsByRank.get(rank);
        if (!port(own).equals(port(localEndpoint))) {
            log.warn("rank {} listens on {} but the peer list gives it {}", rank, localEndpoint, own);
        }
        Map<Integer, PeerLink> links = new TreeMap<>();
        try {
            for (int peer : new TreeSet<>(peerRanks)) {
                String endpoint = endpointsByRank.get(peer);
                String channel = new ChannelUriStringBuilder().media("udp").endpoint(endpoint).mtu(options.mtu())
                        .termLength(options.termLength()).build();
                ExclusivePublication publication = driver.aeron().addExclusivePublication(channel, STREAM_ID);
                links.put(peer, new PeerLink(peer, endpoint, publication, options.chunkSize()));
            }
        } catch (RuntimeException e) {
            links.values().forEach(link -> link.publication.close());
            throw new TransportException("rank " + rank + " could not open publications to its peers "
                    + peerRanks + " (" + endpointsByRank + "): " + e.getMessage(), e);
        }
        endpoints = List.copyOf(endpointsByRank);
        listDigest = Hello.digest(endpoints);
        peers = Collections.unmodifiableMap(links);
        startPoller();
        handshake(timeout);
        connected = true;
        String lateFailure = handshakeFailure;
        if (lateFailure != null) {
            abort(lateFailure);
            throw new TransportException(lateFailure);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void send(int peer, int tag, ByteBuffer message) {
        Objects.requireNonNull(message, "message");
        PeerLink link = link(peer, "send to");
        if (closed) {
            throw new TransportException("rank " + rank + " cannot send to rank " + peer + ": its transport is closed");
        }
        if (abortReason != null) {
            throw new TransportException("rank " + rank + " cannot send to rank " + peer + ": it aborted ("
                    + abortReason + ")");
        }
        failIfPeerGone(link, "cannot send to");
        ByteBuffer source = message.duplicate();
        int length = source.remaining();
        CRC32 crc = new CRC32();
        crc.update(source.duplicate());
        int checksum = (int) crc.getValue();
        int chunkPayload = options.chunkSize() - FrameHeader.LENGTH;
        int chunkCount = Math.max(1, (int) ((length + (long) chunkPayload - 1) / chunkPayload));
        long wireBytes = 0;
        link.sendLock.lock();
        try {
            long sequence = link.nextSequence(tag);
            if (skipNextSequenceNumber.getAndSet(false)) {
                sequence = link.nextSequence(tag);
            }
            for (int chunk = 0; chunk < chunkCount; chunk++) {
                int n = Math.min(chunkPayload, source.remaining());
                FrameHeader.write(link.sendBuffer, 0, FrameHeader.DATA, rank, tag, sequence, chunk, chunkCount, length,
                        checksum);
                copy(source, link.sendBuffer, FrameHeader.LENGTH, n);
                if (corruptNextDataFrame.getAndSet(false)) {
                    corrupt(link.sendBuffer, n);
                }
                String what = "message #" + sequence + " (tag " + tag + ", chunk " + (chunk + 1) + " of " + chunkCount
                        + ")";
                offerData(link, FrameHeader.LENGTH + n, what);
                wireBytes += FrameHeader.LENGTH + n;
            }
        } finally {
            link.sendLock.unlock();
        }
        bytesSent.addAndGet(length);
        wireBytesSent.addAndGet(wireBytes);
    }

    @Override
    public ByteBuffer receive(int peer, int tag, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        PeerLink link = link(peer, "receive from");
        Inbox inbox = link.inbox(tag);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (inbox.failure != null) {
                    throw new PeerFailedException(peer, inbox.failure);
                }
                Delivery delivery = inbox.queue.poll(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
                if (delivery == null && (link.abortReason != null || link.finReceived || closed)) {
                    // the poller queues a peer's messages before it notes its ABORT or FIN: look once more
                    delivery = inbox.queue.poll();
                    if (delivery == null) {
                        failIfPeerGone(link, "waits for tag " + tag + " from");
                        throw new TransportException("rank " + rank + " waits for tag " + tag + " from rank " + peer
                                + " but its own transport is closed");
                    }
                }
                if (delivery != null && delivery.failure() != null) {
                    inbox.failure = delivery.failure();
                    continue;
                }
                if (delivery != null) {
                    return delivery.message();
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
        abort(reason, true);
    }

    /**
     * Marks this rank aborted and sends ABORT to every peer, waiting up to {@link #CONTROL_FRAME_WAIT} (for all peers
     * together) for a publication that is not connected yet if {@code waitForConnections}.
     */
    private void abort(String reason, boolean waitForConnections) {
        String text = reason == null ? "no reason given" : reason;
        synchronized (stateLock) {
            if (abortReason != null || closed) {
                return;
            }
            abortReason = text;
        }
        try {
            byte[] runId = options.runId().getBytes(StandardCharsets.UTF_8);
            byte[] reasonBytes = truncate(text).getBytes(StandardCharsets.UTF_8);
            byte[] body = ByteBuffer.allocate(4 + runId.length + reasonBytes.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(runId.length).put(runId).put(reasonBytes).array();
            long deadline = System.nanoTime() + CONTROL_FRAME_WAIT.toNanos();
            for (PeerLink link : peers.values()) {
                if (waitForConnections || link.publication.isConnected()) {
                    sendControlFrame(link, FrameHeader.ABORT, body, deadline);
                }
            }
        } catch (RuntimeException e) {
            log.warn("rank {} could not tell every peer that it aborts: {}", rank, e.toString());
        }
    }

    @Override
    public long bytesSent() {
        return bytesSent.get();
    }

    /** {@link #bytesSent()} plus this transport's 40-byte header per chunk (Aeron's and UDP's headers not counted). */
    @Override
    public long wireBytesSent() {
        return wireBytesSent.get();
    }

    /**
     * Sends FIN to every peer, waits up to {@link AeronTransportOptions#closeTimeout()} for the FIN of every peer that
     * shook hands and has not aborted (none if this rank aborted), then releases the publications, the subscription,
     * the poller thread and the media driver reference. Idempotent; never throws for a peer that is gone.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Map<Long, Long> finalPositions = new HashMap<>();
        try {
            long deadline = System.nanoTime() + CONTROL_FRAME_WAIT.toNanos();
            for (PeerLink link : peers.values()) {
                if (link.publication.isConnected()) {
                    sendControlFrame(link, FrameHeader.FIN, new byte[0], deadline);
                }
            }
            if (abortReason == null) {
                awaitPeerFins();
            }
        } finally {
            stopPoller();
            for (PeerLink link : peers.values()) {
                // a peer that aborted reads nothing more from us: do not wait for its link to drain
                if (link.abortReason == null) {
                    finalPositions.put(link.publication.registrationId(), link.publication.position());
                }
                link.publication.close();
            }
            subscription.close();
            awaitSent(finalPositions);
            driver.release();
        }
    }

    @Override
    public String toString() {
        return "AeronTransport{rank " + rank + " of " + size + ", " + localEndpoint + ", peers " + peers.keySet() + "}";
    }

    /** The media driver directory this transport uses. */
    Path aeronDirectory() {
        return driver.directory();
    }

    /** Test hook: flips a byte of the next DATA frame after its CRC was computed, so the receiver must notice. */
    void corruptNextDataFrame() {
        corruptNextDataFrame.set(true);
    }

    /** Test hook: the next message skips a sequence number, as if the one before it had been lost. */
    void skipNextSequenceNumber() {
        skipNextSequenceNumber.set(true);
    }

    // ---------------------------------------------------------------------------------------------- handshake

    private void handshake(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String failure = handshakeFailure;
                if (failure != null) {
                    abort(failure, true);
                    throw new TransportException(failure);
                }
                for (PeerLink link : peers.values()) {
                    if (link.abortReason != null) {
                        String message = "rank " + link.rank + " stopped the run: " + link.abortReason;
                        abort(message, true);
                        throw new PeerFailedException(link.rank, message);
                    }
                }
                boolean complete = true;
                for (PeerLink link : peers.values()) {
                    if (link.publication.isConnected()) {
                        sendHello(link, false);
                    }
                    complete &= link.handshakeComplete();
                }
                if (complete) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    String message = timeoutMessage(timeout);
                    abort(message, false);
                    throw new TransportTimeoutException(message);
                }
                Thread.sleep(HELLO_INTERVAL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort("rank " + rank + " was interrupted while connecting", false);
            throw new TransportException("rank " + rank + " was interrupted while connecting to " + peers.keySet(), e);
        }
        // the peers may not have seen an acknowledging HELLO yet: one more round, now reliably
        for (PeerLink link : peers.values()) {
            sendHello(link, true);
        }
    }

    private void sendHello(PeerLink link, boolean mustArrive) {
        Hello hello = new Hello(size, link.rank, listDigest, link.helloReceived, options.runId());
        link.sendLock.lock();
        try {
            int bodyLength = hello.write(link.sendBuffer, FrameHeader.LENGTH);
            FrameHeader.write(link.sendBuffer, 0, FrameHeader.HELLO, rank, 0, 0, 0, 1, bodyLength, 0);
            if (mustArrive) {
                offerData(link, FrameHeader.LENGTH + bodyLength, "HELLO");
            } else {
                link.publication.offer(link.sendBuffer, 0, FrameHeader.LENGTH + bodyLength);
            }
        } finally {
            link.sendLock.unlock();
        }
    }

    private String timeoutMessage(Duration timeout) {
        List<String> missing = new ArrayList<>();
        List<Integer> missingRanks = new ArrayList<>();
        for (PeerLink link : peers.values()) {
            if (link.handshakeComplete()) {
                continue;
            }
            missingRanks.add(link.rank);
            String state;
            if (!link.publication.isConnected()) {
                state = "nothing answers there";
            } else if (!link.helloReceived) {
                state = "the endpoint answers but no HELLO came from rank " + link.rank;
            } else {
                state = "rank " + link.rank + " did not confirm this rank's HELLO";
            }
            missing.add("rank " + link.rank + " at " + link.endpoint + " (" + state + ")");
        }
        return "rank " + rank + " could not connect to rank(s) " + missingRanks + " within " + timeout.toMillis()
                + " ms: " + String.join(", ", missing) + "; is every rank running, with the same peer list?";
    }

    // ---------------------------------------------------------------------------------------------- receiving

    private void startPoller() {
        polling = true;
        poller = new Thread(this::pollLoop, "aeron-transport-rank-" + rank);
        poller.setDaemon(true);
        poller.start();
    }

    private void stopPoller() {
        polling = false;
        if (poller == null) {
            return;
        }
        try {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (poller.isAlive()) {
            log.warn("rank {}: the poller thread did not stop within 5 s", rank);
        }
    }

    private void pollLoop() {
        FragmentAssembler assembler = new FragmentAssembler(this::onFrame);
        IdleStrategy idle = AeronMediaDriver.idleStrategy(options.idleStrategy());
        while (polling) {
            int fragments = 0;
            try {
                fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
            } catch (RuntimeException e) {
                log.error("rank {}: polling the subscription failed", rank, e);
            }
            idle.idle(fragments);
        }
    }

    private void onFrame(DirectBuffer buffer, int offset, int length, Header header) {
        if (!FrameHeader.isValid(buffer, offset, length)) {
            log.warn("rank {} ignores a frame of {} bytes that is not from an AeronTransport", rank, length);
            return;
        }
        byte kind = FrameHeader.kind(buffer, offset);
        int sender = FrameHeader.sender(buffer, offset);
        PeerLink link = peers.get(sender);
        if (kind == FrameHeader.HELLO) {
            onHello(sender, link, Hello.read(buffer, offset + FrameHeader.LENGTH, length - FrameHeader.LENGTH));
            return;
        }
        if (kind == FrameHeader.ABORT) {
            onAbort(sender, link, buffer, offset + FrameHeader.LENGTH, length - FrameHeader.LENGTH);
            return;
        }
        if (link == null || (kind == FrameHeader.DATA && !link.helloReceived)) {
            log.warn("rank {} ignores a frame ({}) from rank {}, which {}", rank, FrameHeader.kindName(kind), sender,
                    link == null ? "is not one of its peers " + peers.keySet() : "has not shaken hands");
            return;
        }
        switch (kind) {
            case FrameHeader.DATA -> onData(link, buffer, offset, length);
            case FrameHeader.FIN -> link.finReceived = true;
            default -> log.warn("rank {} ignores a frame of unknown kind {} from rank {}", rank, kind, sender);
        }
    }

    private void onHello(int sender, PeerLink link, Hello hello) {
        String failure = null;
        if (hello == null) {
            failure = "rank " + rank + " got a malformed HELLO from rank " + sender;
        } else if (!hello.runId().equals(options.runId())) {
            failure = "rank " + rank + " of run '" + options.runId() + "' got a HELLO from rank " + sender + " of run '"
                    + hello.runId() + "': the configurations of the ranks differ";
        } else if (hello.size() != size) {
            failure = "rank " + rank + " (a run of " + size + " ranks) got a HELLO from rank " + sender + " of a run of "
                    + hello.size() + " ranks: the configurations of the ranks differ";
        } else if (hello.receiver() != rank) {
            failure = "rank " + sender + " expected rank " + hello.receiver() + " at " + localEndpoint + " but rank "
                    + rank + " answered: the peer lists differ";
        } else if (link == null) {
            failure = "rank " + rank + " got a HELLO from rank " + sender + ", which is not one of its peers "
                    + peers.keySet() + ": the peer lists differ";
        } else if (hello.listDigest() != listDigest) {
            failure = "rank " + rank + " and rank " + sender + " were given different peer lists (rank " + rank
                    + "'s is " + endpoints + "): the peer lists differ";
        }
        if (failure != null) {
            runFailed(failure, hello != null && hello.runId().equals(options.runId()));
            return;
        }
        link.helloReceived = true;
        if (hello.acknowledged()) {
            link.helloAcknowledged = true;
        }
    }

    /**
     * An ABORT from a peer fails the receives on that peer. One from another rank of this run (its peer list sends
     * it here by mistake) stops this rank too, so that a wrong peer list fails every rank fast.
     */
    private void onAbort(int sender, PeerLink link, DirectBuffer buffer, int offset, int length) {
        int idLength = length >= 4 ? buffer.getInt(offset) : -1;
        if (idLength < 0 || idLength > length - 4) {
            log.warn("rank {} ignores a malformed ABORT from rank {}", rank, sender);
            return;
        }
        String runId = buffer.getStringWithoutLengthUtf8(offset + 4, idLength);
        String reason = buffer.getStringWithoutLengthUtf8(offset + 4 + idLength, length - 4 - idLength);
        if (link != null) {
            link.abortReason = reason;
        } else {
            runFailed("rank " + sender + " stopped the run: " + reason, runId.equals(options.runId()));
        }
    }

    /**
     * Something shows that the ranks were configured differently. During {@link #connect} it fails the handshake;
     * afterwards it aborts this rank if the evidence comes from this run, and is logged if it is stray traffic.
     */
    private void runFailed(String failure, boolean fromThisRun) {
        // written before connected is read, as connect writes connected before it reads this: one of them sees it
        if (handshakeFailure == null) {
            handshakeFailure = failure;
        }
        if (connected) {
            if (fromThisRun) {
                log.error(failure);
                abort(failure);
            } else {
                log.warn("{} (stray traffic after the handshake; ignored)", failure);
            }
        }
    }

    private void onData(PeerLink link, DirectBuffer buffer, int offset, int length) {
        int tag = FrameHeader.tag(buffer, offset);
        Inbox inbox = link.inbox(tag);
        if (inbox.failed) {
            return;
        }
        long sequence = FrameHeader.sequence(buffer, offset);
        int chunk = FrameHeader.chunkIndex(buffer, offset);
        int chunkCount = FrameHeader.chunkCount(buffer, offset);
        int totalLength = FrameHeader.totalLength(buffer, offset);
        int payload = length - FrameHeader.LENGTH;
        String what = "message #" + sequence + " from rank " + link.rank + " under tag " + tag;
        Reassembly partial = inbox.partial;
        if (partial == null) {
            if (sequence != inbox.expectedSequence || chunk != 0) {
                fail(inbox, "rank " + rank + ": message lost: expected message #" + inbox.expectedSequence
                        + " from rank " + link.rank + " under tag " + tag + ", got chunk " + (chunk + 1) + " of "
                        + chunkCount + " of message #" + sequence);
                return;
            }
            if (chunkCount < 1 || totalLength < 0) {
                fail(inbox, "rank " + rank + ": " + what + " has a malformed header (chunk count " + chunkCount
                        + ", length " + totalLength + ")");
                return;
            }
            partial = new Reassembly(sequence, chunkCount, FrameHeader.crc(buffer, offset), new byte[totalLength]);
            inbox.partial = partial;
        } else if (sequence != partial.sequence || chunk != partial.nextChunk) {
            fail(inbox, "rank " + rank + ": message lost: chunk " + (partial.nextChunk + 1) + " of "
                    + partial.chunkCount + " of message #" + partial.sequence + " from rank " + link.rank + " under tag "
                    + tag + " is missing (got chunk " + (chunk + 1) + " of message #" + sequence + ")");
            return;
        }
        if (payload > partial.data.length - partial.filled) {
            fail(inbox, "rank " + rank + ": " + what + " is longer than its announced " + partial.data.length
                    + " bytes");
            return;
        }
        buffer.getBytes(offset + FrameHeader.LENGTH, partial.data, partial.filled, payload);
        partial.filled += payload;
        partial.nextChunk++;
        if (partial.nextChunk < partial.chunkCount) {
            return;
        }
        inbox.partial = null;
        if (partial.filled != partial.data.length) {
            fail(inbox, "rank " + rank + ": message lost: " + what + " has " + partial.filled + " of its "
                    + partial.data.length + " bytes");
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(partial.data);
        if ((int) crc.getValue() != partial.crc) {
            fail(inbox, "rank " + rank + ": CRC mismatch in " + what + " (" + partial.data.length
                    + " bytes): the message was corrupted on the way");
            return;
        }
        inbox.expectedSequence++;
        inbox.queue.add(new Delivery(ByteBuffer.wrap(partial.data), null));
    }

    /** Poisons (peer, tag): the messages queued before still arrive, then every receive fails with {@code message}. */
    private void fail(Inbox inbox, String message) {
        log.error(message);
        inbox.failed = true;
        inbox.partial = null;
        inbox.queue.add(new Delivery(null, message));
    }

    // ---------------------------------------------------------------------------------------------- sending

    /** Offers {@code length} bytes of the link's send buffer until they are taken; never drops them silently. */
    private void offerData(PeerLink link, int length, String what) {
        IdleStrategy idle = AeronMediaDriver.idleStrategy(options.idleStrategy());
        long deadline = System.nanoTime() + options.offerDeadline().toNanos();
        while (true) {
            long result = link.publication.offer(link.sendBuffer, 0, length);
            if (result > 0) {
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new TransportException("rank " + rank + " cannot send " + what + " to rank " + link.rank + " at "
                        + link.endpoint + ": the publication is " + offerResult(result));
            }
            failIfPeerGone(link, "cannot send " + what + " to");
            if (System.nanoTime() - deadline > 0) {
                throw new TransportTimeoutException("rank " + rank + " could not send " + what + " to rank "
                        + link.rank + " at " + link.endpoint + " within " + options.offerDeadline().toMillis()
                        + " ms: the publication stayed " + offerResult(result));
            }
            idle.idle();
        }
    }

    /** Best effort: an ABORT or FIN frame with {@code body}, tried until {@code deadline}; never throws. */
    private void sendControlFrame(PeerLink link, byte kind, byte[] body, long deadline) {
        try {
            long wait = Math.max(0, deadline - System.nanoTime());
            if (!link.sendLock.tryLock(wait, TimeUnit.NANOSECONDS)) {
                log.debug("rank {}: {} to rank {} not sent (a send holds the publication)", rank,
                        FrameHeader.kindName(kind), link.rank);
                return;
            }
            try {
                FrameHeader.write(link.sendBuffer, 0, kind, rank, 0, 0, 0, 1, body.length, 0);
                link.sendBuffer.putBytes(FrameHeader.LENGTH, body);
                IdleStrategy idle = AeronMediaDriver.idleStrategy(options.idleStrategy());
                long result;
                while ((result = link.publication.offer(link.sendBuffer, 0, FrameHeader.LENGTH + body.length)) < 0
                        && result != Publication.CLOSED && result != Publication.MAX_POSITION_EXCEEDED
                        && System.nanoTime() - deadline < 0) {
                    idle.idle();
                }
                if (result < 0) {
                    log.debug("rank {}: {} to rank {} not sent ({})", rank, FrameHeader.kindName(kind), link.rank,
                            offerResult(result));
                }
            } finally {
                link.sendLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("rank {}: {} to rank {} failed: {}", rank, FrameHeader.kindName(kind), link.rank, e.toString());
        }
    }

    private void failIfPeerGone(PeerLink link, String action) {
        if (link.abortReason != null) {
            throw new PeerFailedException(link.rank, "rank " + link.rank + " stopped the run: " + link.abortReason);
        }
        if (link.finReceived) {
            throw new PeerFailedException(link.rank, "rank " + rank + " " + action + " rank " + link.rank
                    + ", which has closed its transport");
        }
    }

    // ---------------------------------------------------------------------------------------------- closing

    private void awaitPeerFins() {
        long deadline = System.nanoTime() + options.closeTimeout().toNanos();
        List<Integer> waitingFor;
        while (true) {
            waitingFor = new ArrayList<>();
            for (PeerLink link : peers.values()) {
                if (link.helloReceived && link.abortReason == null && !link.finReceived) {
                    waitingFor.add(link.rank);
                }
            }
            if (waitingFor.isEmpty() || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(WAIT_SLICE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!waitingFor.isEmpty()) {
            log.warn("rank {} closes without the closing handshake (FIN) of rank(s) {} (waited {} ms)", rank,
                    waitingFor, options.closeTimeout().toMillis());
        }
    }

    /**
     * Waits until the driver has put every closed publication's last byte on the wire: stopping the driver earlier
     * would lose the tail (the FIN above all).
     */
    private void awaitSent(Map<Long, Long> finalPositions) {
        if (finalPositions.isEmpty()) {
            return;
        }
        CountersReader counters = driver.aeron().countersReader();
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            boolean[] pending = {false};
            counters.forEach((counterId, typeId, key, label) -> {
                if (typeId == SenderPos.SENDER_POSITION_TYPE_ID) {
                    Long position = finalPositions.get(key.getLong(0));
                    if (position != null && counters.getCounterValue(counterId) < position) {
                        pending[0] = true;
                    }
                }
            });
            if (!pending[0]) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.debug("rank {}: not every publication was drained within {} ms", rank, DRAIN_WAIT.toMillis());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private PeerLink link(int peer, String action) {
        if (!connected) {
            throw new IllegalStateException("rank " + rank + " must connect() before it can " + action + " rank "
                    + peer);
        }
        PeerLink link = peers.get(peer);
        if (link == null) {
            throw new IllegalArgumentException("rank " + rank + ": peer must be one of its peers " + peers.keySet()
                    + ", got " + peer);
        }
        return link;
    }

    private static String awaitLocalEndpoint(int rank, Subscription subscription, String bindEndpoint) {
        long deadline = System.nanoTime() + LOCAL_ADDRESS_WAIT.toNanos();
        while (true) {
            List<String> addresses = subscription.localSocketAddresses();
            if (!addresses.isEmpty()) {
                return addresses.get(0);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TransportException("rank " + rank + " bound " + bindEndpoint + " but the driver did not "
                        + "report its address within " + LOCAL_ADDRESS_WAIT.toMillis() + " ms");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("rank " + rank + " was interrupted while binding " + bindEndpoint, e);
            }
        }
    }

    /** Checks {@code host:port} (port 1..65535, or 0 too when binding). */
    static void checkEndpoint(String what, String endpoint, boolean mayBeEphemeral) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            throw new IllegalArgumentException(what + " is '" + endpoint + "', expected host:port");
        }
        int port;
        try {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is '" + endpoint + "', expected host:port (the port is not a "
                    + "number)");
        }
        int lowest = mayBeEphemeral ? 0 : 1;
        if (port < lowest || port > 65535) {
            throw new IllegalArgumentException(what + " is '" + endpoint + "': the port must be in " + lowest
                    + "..65535");
        }
    }

    private static String port(String endpoint) {
        return endpoint.substring(endpoint.lastIndexOf(':') + 1);
    }

    /** Copies {@code n} bytes from {@code source} (advancing it) into {@code target} at {@code offset}. */
    private static void copy(ByteBuffer source, UnsafeBuffer target, int offset, int n) {
        if (source.isDirect() || source.hasArray()) {
            target.putBytes(offset, source, source.position(), n);
            source.position(source.position() + n);
        } else {
            byte[] bytes = new byte[n];
            source.get(bytes);
            target.putBytes(offset, bytes);
        }
    }

    private static void corrupt(UnsafeBuffer frame, int payload) {
        int index = payload > 0 ? FrameHeader.LENGTH : FrameHeader.CRC_OFFSET;
        frame.putByte(index, (byte) ~frame.getByte(index));
    }

    private static String truncate(String text) {
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "...";
    }

    private static String offerResult(long result) {
        if (result == Publication.NOT_CONNECTED) {
            return "not connected";
        } else if (result == Publication.BACK_PRESSURED) {
            return "back-pressured";
        } else if (result == Publication.ADMIN_ACTION) {
            return "busy with an admin action";
        } else if (result == Publication.CLOSED) {
            return "closed";
        } else if (result == Publication.MAX_POSITION_EXCEEDED) {
            return "at its maximum position";
        }
        return "code " + result;
    }

    /** Everything about one peer: the publication to it and what arrived from it. */
    private static final class PeerLink {
        final int rank;
        final String endpoint;
        final ExclusivePublication publication;
        /** Guards the publication, the send buffer and the sequence numbers: one message at a time per peer. */
        final ReentrantLock sendLock = new ReentrantLock();
        final UnsafeBuffer sendBuffer;
        final Map<Integer, Long> nextSequence = new HashMap<>();
        final Map<Integer, Inbox> inboxes = new ConcurrentHashMap<>();
        volatile boolean helloReceived;
        volatile boolean helloAcknowledged;
        volatile boolean finReceived;
        volatile String abortReason;

        PeerLink(int rank, String endpoint, ExclusivePublication publication, int chunkSize) {
            this.rank = rank;
            this.endpoint = endpoint;
            this.publication = publication;
            this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(chunkSize));
        }

        boolean handshakeComplete() {
            return publication.isConnected() && helloReceived && helloAcknowledged;
        }

        /** The next sequence number under {@code tag}; call with {@link #sendLock} held. */
        long nextSequence(int tag) {
            return nextSequence.merge(tag, 1L, Long::sum) - 1;
        }

        Inbox inbox(int tag) {
            return inboxes.computeIfAbsent(tag, t -> new Inbox());
        }
    }

    /** The messages from one peer under one tag. */
    private static final class Inbox {
        final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
        /** Set by the receiving thread once it met a failure, so that every later receive fails too. */
        volatile String failure;
        // the poller's reassembly state
        long expectedSequence;
        Reassembly partial;
        boolean failed;
    }

    /** A message being put together from its chunks. */
    private static final class Reassembly {
        final long sequence;
        final int chunkCount;
        final int crc;
        final byte[] data;
        int filled;
        int nextChunk;

        Reassembly(long sequence, int chunkCount, int crc, byte[] data) {
            this.sequence = sequence;
            this.chunkCount = chunkCount;
            this.crc = crc;
            this.data = data;
        }
    }

    /** A complete message, or the reason why the messages from a peer under a tag cannot be trusted any more. */
    private record Delivery(ByteBuffer message, String failure) {
    }
}
