package io.github.dl4jadmm.distributed.aeron;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AeronMediaDriverTest {

    @TempDir
    Path parent;

    @Test
    void aDirectoryLeftByAKilledDriverIsRemovedAndAYoungOneIsKept() throws Exception {
        Path stale = Files.createDirectories(parent.resolve(AeronMediaDriver.DIRECTORY_PREFIX + "111"));
        Files.writeString(stale.resolve("cnc.dat"), "not a live driver");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3600)));
        Path young = Files.createDirectories(parent.resolve(AeronMediaDriver.DIRECTORY_PREFIX + "222"));
        Path unrelated = Files.createDirectories(parent.resolve("something-else"));
        Files.setLastModifiedTime(unrelated, FileTime.from(Instant.now().minusSeconds(3600)));

        AeronTransport transport = AeronTransport.bind(0, 1, "127.0.0.1:0", AeronTransportOptions.builder()
                .aeronDir(parent.resolve(AeronMediaDriver.DIRECTORY_PREFIX + "333")).build());
        transport.close();

        assertFalse(Files.exists(stale), "the stopped driver's directory is removed");
        assertTrue(Files.exists(young), "a directory that may belong to a driver starting now is kept");
        assertTrue(Files.exists(unrelated), "other directories are never touched");
    }
}
