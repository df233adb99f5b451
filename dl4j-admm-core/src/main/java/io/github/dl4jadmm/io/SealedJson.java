package io.github.dl4jadmm.io;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A JSON file that carries its own checksum, so that a changed bit in a manifest (a {@code rho}, an iteration count)
 * is found as surely as one in an array file. The writer puts the field {@value #FIELD} with the value
 * {@value #PLACEHOLDER} into the object; {@link #seal} replaces that value by {@code crc32c:} and the CRC32C of the
 * text as it was with the placeholder. A reader undoes the replacement and compares: the check depends on the bytes
 * of the file only, not on how a JSON library formats numbers or spaces.
 */
public final class SealedJson {

    /** The name of the checksum field. */
    public static final String FIELD = "checksum";
    /** The value the writer gives {@value #FIELD} before {@link #seal}. */
    public static final String PLACEHOLDER = "crc32c:00000000";

    private static final String PREFIX = "crc32c:";

    private SealedJson() {
    }

    /**
     * The text with its checksum in place of the placeholder.
     *
     * @param json JSON text whose last string value {@code "crc32c:00000000"} is the value of {@value #FIELD}
     * @throws IllegalArgumentException if the text holds no placeholder
     */
    public static String seal(String json) {
        int at = json.lastIndexOf('"' + PLACEHOLDER + '"');
        if (at < 0) {
            throw new IllegalArgumentException("the JSON text has no \"" + FIELD + "\": \"" + PLACEHOLDER
                    + "\" to seal");
        }
        return json.substring(0, at + 1) + PREFIX + crc(json) + json.substring(at + 1 + PLACEHOLDER.length());
    }

    /**
     * What is wrong with sealed text, or null if its checksum matches.
     *
     * @param json     the file's text
     * @param recorded the value of {@value #FIELD} parsed from it
     */
    public static String mismatch(String json, Object recorded) {
        if (!(recorded instanceof String value) || !value.matches(PREFIX + "[0-9a-f]{8}")) {
            return "its \"" + FIELD + "\" is " + recorded + ", not crc32c: and 8 hex digits";
        }
        int at = json.lastIndexOf('"' + value + '"');
        if (at < 0) {
            return "its \"" + FIELD + "\" value is not written as a plain string";
        }
        String unsealed = json.substring(0, at + 1) + PLACEHOLDER + json.substring(at + 1 + value.length());
        String actual = crc(unsealed);
        if (!value.equals(PREFIX + actual)) {
            return "its CRC32C is " + actual + " but " + value.substring(PREFIX.length()) + " was written: its "
                    + "contents changed after it was written (disk or copy error, or an edit)";
        }
        return null;
    }

    private static String crc(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return FileDigest.hex(crc.getValue());
    }
}
