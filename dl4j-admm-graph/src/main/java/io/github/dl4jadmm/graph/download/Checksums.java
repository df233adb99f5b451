package io.github.dl4jadmm.graph.download;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The sha256 and the git blob id of a file, computed in one pass. */
record Checksums(long size, String sha256, String gitBlobSha1) {

    /** Computes both checksums of {@code file}. */
    static Checksums of(Path file) throws IOException {
        long size = Files.size(file);
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest sha1 = digest("SHA-1");
        // git hashes "blob <size>\0" followed by the content
        sha1.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha256.update(buffer, 0, n);
                sha1.update(buffer, 0, n);
            }
        }
        return new Checksums(size, HexFormat.of().formatHex(sha256.digest()), HexFormat.of().formatHex(sha1.digest()));
    }

    /** Hex sha256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
    }

    /**
     * Why this file does not match {@code expected}, or null if it matches every pinned value (size, sha256, git blob
     * id or its prefix).
     */
    String mismatch(BenchmarkSource.RawFile expected) {
        StringBuilder problems = new StringBuilder();
        if (expected.size() >= 0 && expected.size() != size) {
            problems.append("its size is ").append(size).append(" bytes, expected ").append(expected.size());
        }
        if (expected.sha256() != null && !expected.sha256().equals(sha256)) {
            append(problems, "its sha256 is " + sha256 + ", expected " + expected.sha256());
        }
        if (expected.gitBlobSha1() != null && !gitBlobSha1.startsWith(expected.gitBlobSha1())) {
            append(problems, "its git blob id is " + gitBlobSha1 + ", expected "
                    + (expected.gitBlobSha1().length() < 40 ? "one starting with " : "") + expected.gitBlobSha1());
        }
        return problems.length() == 0 ? null : problems.toString();
    }

    private static void append(StringBuilder problems, String problem) {
        if (problems.length() > 0) {
            problems.append("; ");
        }
        problems.append(problem);
    }
}
