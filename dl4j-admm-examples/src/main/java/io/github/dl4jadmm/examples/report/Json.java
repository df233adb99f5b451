package io.github.dl4jadmm.examples.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/** JSON reading and writing of plain maps and lists (ND4J's shaded Jackson, which every DL4J project has). */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, null) as indented JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@code value} as indented JSON to {@code file}. */
    public static void write(Object value, Path file) {
        try {
            Files.writeString(file, write(value) + System.lineSeparator(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code value}, or null where JSON has no number for it (NaN, infinities). */
    public static Double number(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** A number read back from JSON; null (written for NaN) gives NaN. */
    public static double toDouble(Object value) {
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String json) {
        try {
            return MAPPER.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON object from {@code file}. */
    public static Map<String, Object> readObject(Path file) throws IOException {
        return readObject(Files.readString(file, StandardCharsets.UTF_8));
    }
}
