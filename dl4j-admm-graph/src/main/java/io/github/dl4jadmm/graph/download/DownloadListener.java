package io.github.dl4jadmm.graph.download;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;

/**
 * Hears about the downloads of a {@link GraphDownloader}. Every method has an empty default, so an implementation
 * overrides only what it shows; calls come from the thread that called {@link GraphDownloader#ensure}.
 */
public interface DownloadListener {

    /** A listener that does nothing. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * A download starts.
     *
     * @param expectedBytes the size announced by the server or pinned by the source, or -1 if unknown
     */
    default void started(URI uri, Path target, long expectedBytes) {
    }

    /**
     * Bytes arrived (called about every 64 KiB).
     *
     * @param totalBytes the expected size, or -1 if unknown
     */
    default void progress(URI uri, long bytesReceived, long totalBytes) {
    }

    /** A download is complete and verified. */
    default void finished(URI uri, Path target, long bytes) {
    }

    /** An attempt failed and the download is tried again after a pause. */
    default void retrying(URI uri, int failedAttempt, String reason) {
    }

    /** A listener that logs the start, every tenth of the way (or 4 MiB when the size is unknown), and the end. */
    static DownloadListener logging() {
        Logger log = LoggerFactory.getLogger(GraphDownloader.class);
        return new DownloadListener() {
            private long nextReport;

            @Override
            public void started(URI uri, Path target, long expectedBytes) {
                nextReport = 0;
                log.info("downloading {} ({}) to {}", uri, expectedBytes >= 0 ? expectedBytes + " bytes"
                        : "size unknown", target);
            }

            @Override
            public void progress(URI uri, long bytesReceived, long totalBytes) {
                if (bytesReceived >= nextReport) {
                    long step = totalBytes > 0 ? Math.max(1, totalBytes / 10) : 4L << 20;
                    if (nextReport > 0) {
                        log.info("  {}: {} bytes{}", uri.getPath().substring(uri.getPath().lastIndexOf('/') + 1),
                                bytesReceived, totalBytes > 0 ? " (" + 100 * bytesReceived / totalBytes + "%)" : "");
                    }
                    nextReport = bytesReceived + step;
                }
            }

            @Override
            public void finished(URI uri, Path target, long bytes) {
                log.info("downloaded and verified {} ({} bytes)", target.getFileName(), bytes);
            }

            @Override
            public void retrying(URI uri, int failedAttempt, String reason) {
                log.warn("attempt {} to download {} failed ({}); trying again", failedAttempt, uri, reason);
            }
        };
    }
}
