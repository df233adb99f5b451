package io.github.dl4jadmm.graph.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches one URL into a file with {@link HttpClient}: bounded retries with exponential back-off for network
 * errors, timeouts and HTTP 408/429/5xx; no retry for other HTTP errors; a size cap; a stall timeout on the body;
 * progress reports.
 */
final class HttpFetcher {

    /** Why a fetch failed for good. */
    static final class FetchException extends Exception {
        private final int status;

        FetchException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status of the last attempt, or 0 if no response came. */
        int status() {
            return status;
        }
    }

    private static final int BUFFER = 1 << 16;

    private final HttpClient client;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration backoff;
    private final DownloadListener listener;

    HttpFetcher(HttpClient client, Duration requestTimeout, int maxAttempts, Duration backoff,
                DownloadListener listener) {
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.listener = listener;
    }

    /**
     * Downloads {@code uri} into {@code target} (replaced).
     *
     * @param expectedSize the pinned size, or -1
     * @param maxBytes     abort when the body grows past this
     * @return the number of bytes written
     * @throws FetchException       after the last failed attempt, or at once for a non-retryable HTTP error
     * @throws InterruptedException if interrupted while waiting; the partial file is left for the caller to delete
     */
    long fetch(URI uri, Path target, long expectedSize, long maxBytes) throws FetchException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("User-Agent", "dl4j-admm GraphDownloader").GET().build();
        for (int attempt = 1; ; attempt++) {
            String failure;
            int status = 0;
            Throwable cause = null;
            try {
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                status = response.statusCode();
                if (status == 200) {
                    return copy(uri, response, target, expectedSize, maxBytes);
                }
                response.body().close();
                failure = "HTTP " + status + describe(status);
                if (!retryable(status)) {
                    throw new FetchException(failure, status, null);
                }
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                cause = e;
            }
            if (attempt >= maxAttempts) {
                throw new FetchException(failure + (maxAttempts > 1 ? " (after " + attempt + " attempts)" : ""),
                        status, cause);
            }
            listener.retrying(uri, attempt, failure);
            Thread.sleep(backoff.toMillis() << Math.min(attempt - 1, 10));
        }
    }

    private long copy(URI uri, HttpResponse<InputStream> response, Path target, long expectedSize, long maxBytes)
            throws IOException {
        OptionalLong announced = response.headers().firstValueAsLong("Content-Length");
        long total = expectedSize >= 0 ? expectedSize : announced.orElse(-1);
        if (announced.isPresent() && announced.getAsLong() > maxBytes) {
            response.body().close();
            throw new IOException("the server announces " + announced.getAsLong() + " bytes, more than the "
                    + maxBytes + " allowed for this file");
        }
        listener.started(uri, target, total);
        long received = 0;
        // The request timeout only covers the wait for the response headers; a body that stops arriving is cut off
        // by this watchdog after the same time without a byte, so that a stalled server cannot hang the caller.
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        InputStream body = response.body();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "download-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long checkMillis = Math.max(10, Math.min(1000, requestTimeout.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastProgress.get() > requestTimeout.toNanos()) {
                stalled.set(true);
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader sees the closed stream either way
                }
            }
        }, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
        try (InputStream in = body;
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastProgress.set(System.nanoTime());
                received += n;
                if (received > maxBytes) {
                    throw new IOException("the body is longer than the " + maxBytes + " bytes allowed for this file");
                }
                out.write(buffer, 0, n);
                listener.progress(uri, received, total);
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new IOException("no data arrived for " + requestTimeout.toSeconds() + " s after " + received
                        + " bytes", e);
            }
            throw e;
        } finally {
            watchdog.shutdownNow();
        }
        if (stalled.get()) {
            throw new IOException("no data arrived for " + requestTimeout.toSeconds() + " s after " + received
                    + " bytes");
        }
        if (announced.isPresent() && received != announced.getAsLong()) {
            throw new IOException("the connection closed after " + received + " of " + announced.getAsLong()
                    + " bytes");
        }
        return received;
    }

    private static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    private static String describe(int status) {
        return switch (status) {
            case 401, 403 -> " (access denied)";
            case 404, 410 -> " (not found)";
            case 429 -> " (too many requests)";
            default -> status >= 500 ? " (server error)" : "";
        };
    }
}
