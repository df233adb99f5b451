package io.github.dl4jadmm.graph.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 (a free port) serving files from memory under {@code /data/}, counting requests, and
 * answering chosen requests with an error status first. Close it to stop it.
 */
final class LoopbackServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Deque<Integer>> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, Integer> stalls = new ConcurrentHashMap<>();

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/data/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The directory URI the files are served under. */
    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/data/");
    }

    /** Serves {@code bytes} as {@code /data/<name>}. */
    LoopbackServer put(String name, byte[] bytes) {
        files.put(name, bytes);
        return this;
    }

    /** Serves every file of the map. */
    LoopbackServer putAll(Map<String, byte[]> all) {
        files.putAll(all);
        return this;
    }

    /** Answers the next requests for {@code name} with these statuses, in order, before serving it. */
    LoopbackServer failFirst(String name, int... statuses) {
        Deque<Integer> queue = failures.computeIfAbsent(name, k -> new ArrayDeque<>());
        for (int status : statuses) {
            queue.add(status);
        }
        return this;
    }

    /** Sends the first {@code bytes} of {@code name}, then nothing more for 10 s (until closed). */
    LoopbackServer stallAfter(String name, int bytes) {
        stalls.put(name, bytes);
        return this;
    }

    /** Requests received for {@code name}. */
    int requests(String name) {
        AtomicInteger count = requests.get(name);
        return count == null ? 0 : count.get();
    }

    /** Requests received in all. */
    int totalRequests() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = exchange.getRequestURI().getPath().substring("/data/".length());
            requests.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            Deque<Integer> pending = failures.get(name);
            Integer failure = pending == null ? null : pending.poll();
            byte[] body = files.get(name);
            if (failure != null || body == null) {
                byte[] message = ("no " + name).getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(failure != null ? failure : 404, message.length);
                exchange.getResponseBody().write(message);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                Integer stall = stalls.get(name);
                if (stall != null) {
                    out.write(body, 0, stall);
                    out.flush();
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                out.write(body);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
