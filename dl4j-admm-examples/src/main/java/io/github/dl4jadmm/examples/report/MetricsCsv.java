package io.github.dl4jadmm.examples.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Per-iteration metrics as CSV: one header line with the {@link IterationRecord} component names, one line per
 * iteration; a value that was not measured (NaN) is an empty field. Reads back what it writes, so a resumed run can
 * continue its history.
 */
public final class MetricsCsv {

    private static final RecordComponent[] COLUMNS = IterationRecord.class.getRecordComponents();

    private MetricsCsv() {
    }

    /** The header line. */
    public static String header() {
        return String.join(",", Arrays.stream(COLUMNS).map(RecordComponent::getName).toList());
    }

    /** One CSV line (no line break). */
    public static String line(IterationRecord record) {
        StringBuilder line = new StringBuilder();
        for (RecordComponent column : COLUMNS) {
            if (!line.isEmpty()) {
                line.append(',');
            }
            Object value = value(column, record);
            if (value instanceof Double d) {
                if (!Double.isNaN(d)) {
                    line.append(String.format(Locale.ROOT, "%.8g", d));
                }
            } else {
                line.append(value);
            }
        }
        return line.toString();
    }

    /** Writes {@code records} to {@code file}, replacing it. */
    public static void write(List<IterationRecord> records, Path file) {
        List<String> lines = new ArrayList<>(records.size() + 1);
        lines.add(header());
        records.forEach(r -> lines.add(line(r)));
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file and line if the header or a value is not what this class
     *                                  writes
     */
    public static List<IterationRecord> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header())) {
            throw new IllegalArgumentException(file + " is not a metrics file of this version: its header should be "
                    + header());
        }
        List<IterationRecord> records = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                records.add(parse(lines.get(i), file, i + 1));
            }
        }
        return records;
    }

    private static IterationRecord parse(String line, Path file, int lineNumber) {
        String[] fields = line.split(",", -1);
        if (fields.length != COLUMNS.length) {
            throw new IllegalArgumentException(file + " line " + lineNumber + ": expected " + COLUMNS.length
                    + " fields, found " + fields.length);
        }
        Object[] values = new Object[COLUMNS.length];
        Class<?>[] types = new Class<?>[COLUMNS.length];
        try {
            for (int c = 0; c < COLUMNS.length; c++) {
                types[c] = COLUMNS[c].getType();
                String f = fields[c].trim();
                if (types[c] == int.class) {
                    values[c] = Integer.parseInt(f);
                } else if (types[c] == long.class) {
                    values[c] = Long.parseLong(f);
                } else {
                    values[c] = f.isEmpty() ? Double.NaN : Double.parseDouble(f);
                }
            }
            Constructor<IterationRecord> constructor = IterationRecord.class.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " line " + lineNumber + ": " + e.getMessage(), e);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException e) {
            throw new IllegalStateException("IterationRecord has no canonical constructor", e);
        }
    }

    private static Object value(RecordComponent column, IterationRecord record) {
        try {
            return column.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + column.getName(), e);
        }
    }
}
