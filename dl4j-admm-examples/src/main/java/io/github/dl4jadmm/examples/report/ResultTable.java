package io.github.dl4jadmm.examples.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One table of benchmark results, written as markdown for reading and as JSON for regenerating figures. Cells are
 * numbers (kept exact in JSON, formatted by the column's pattern in markdown) or text.
 *
 * @param title   the table's heading
 * @param notes   sentences printed under the heading (settings, what the columns mean)
 * @param columns the columns, in order
 * @param rows    one list of cells per row, one cell per column
 */
public record ResultTable(String title, List<String> notes, List<Column> columns, List<List<Object>> rows) {

    /**
     * A column.
     *
     * @param name   header, and the key of the cell in JSON
     * @param format {@link String#format} pattern for numbers in markdown (e.g. {@code "%.4f"}), or null for
     *               {@link String#valueOf}
     */
    public record Column(String name, String format) {

        /** A text column. */
        public static Column text(String name) {
            return new Column(name, null);
        }

        /** A number column. */
        public static Column number(String name, String format) {
            return new Column(name, format);
        }
    }

    public ResultTable {
        notes = List.copyOf(notes);
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("table '" + title + "' has " + columns.size() + " columns but a row"
                        + " has " + row.size() + " cells: " + row);
            }
            copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(row)));
        }
        rows = List.copyOf(copy);
    }

    /** The table as markdown: a level-3 heading, the notes, and a pipe table. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder("### ").append(title).append("\n\n");
        for (String note : notes) {
            md.append(note).append("\n\n");
        }
        md.append('|');
        columns.forEach(c -> md.append(' ').append(c.name()).append(" |"));
        md.append("\n|");
        columns.forEach(c -> md.append("---|"));
        md.append('\n');
        for (List<Object> row : rows) {
            md.append('|');
            for (int i = 0; i < row.size(); i++) {
                md.append(' ').append(format(columns.get(i), row.get(i))).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The table as a JSON-ready map: title, notes, column names, and rows as objects keyed by column name. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", title);
        m.put("notes", notes);
        m.put("columns", columns.stream().map(Column::name).toList());
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (int i = 0; i < row.size(); i++) {
                Object v = row.get(i);
                r.put(columns.get(i).name(), v instanceof Double d && !Double.isFinite(d) ? null : v);
            }
            jsonRows.add(r);
        }
        m.put("rows", jsonRows);
        return m;
    }

    private static String format(Column column, Object value) {
        if (value == null || value instanceof Double d && Double.isNaN(d)) {
            return "-";
        }
        if (value instanceof Number && column.format() != null) {
            return String.format(Locale.ROOT, column.format(), value);
        }
        return String.valueOf(value);
    }
}
