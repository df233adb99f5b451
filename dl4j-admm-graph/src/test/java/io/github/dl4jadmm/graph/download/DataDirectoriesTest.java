package io.github.dl4jadmm.graph.download;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DataDirectoriesTest {

    private static final Path HOME = Path.of("/home/someone");

    @Test
    void explicitWinsThenPropertyThenEnvironmentThenUserCache() {
        Properties properties = new Properties();
        properties.setProperty(DataDirectories.PROPERTY, "/from/property");
        Map<String, String> environment = Map.of(DataDirectories.ENVIRONMENT, "/from/env");

        DataDirectories.Resolved explicit = DataDirectories.resolve(Path.of("/explicit/../given"), properties,
                environment, HOME);
        assertEquals(new DataDirectories.Resolved(Path.of("/given"), DataDirectories.Origin.EXPLICIT), explicit);

        assertEquals(new DataDirectories.Resolved(Path.of("/from/property"), DataDirectories.Origin.SYSTEM_PROPERTY),
                DataDirectories.resolve(null, properties, environment, HOME));
        assertEquals(new DataDirectories.Resolved(Path.of("/from/env"), DataDirectories.Origin.ENVIRONMENT),
                DataDirectories.resolve(null, new Properties(), environment, HOME));
        assertEquals(new DataDirectories.Resolved(Path.of("/home/someone/.dl4j-admm/data"),
                        DataDirectories.Origin.USER_CACHE),
                DataDirectories.resolve(null, new Properties(), Map.of(), HOME));
    }

    @Test
    void blankSettingsAreIgnored() {
        Properties properties = new Properties();
        properties.setProperty(DataDirectories.PROPERTY, " ");
        assertEquals(DataDirectories.Origin.USER_CACHE, DataDirectories.resolve(null, properties,
                Map.of(DataDirectories.ENVIRONMENT, ""), HOME).origin());
    }

    @Test
    void relativeDirectoriesBecomeAbsolute() {
        Path resolved = DataDirectories.resolve(Path.of("data"));
        assertEquals(Path.of("data").toAbsolutePath().normalize(), resolved);
    }
}
