package io.github.dl4jadmm.graph.download.python;

import java.io.ByteArrayOutputStream;

/** Decoding of the two text escapes of pickle protocol 0: Python's {@code repr} of a str and raw-unicode-escape. */
final class PythonStrings {

    private PythonStrings() {
    }

    /**
     * The bytes of a Python string literal body with backslash escapes ({@code \\}, {@code \'}, {@code \n},
     * {@code \xhh}, octal {@code \ooo}, ...), as {@code codecs.escape_decode} reads it. Other characters stand for
     * their Latin-1 byte.
     *
     * @throws IllegalArgumentException for a truncated {@code \x} escape
     */
    static byte[] unescapeBytes(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.write(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case '\n' -> {
                    // line continuation: nothing
                }
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 't' -> out.write(9);
                case 'n' -> out.write(10);
                case 'v' -> out.write(11);
                case 'f' -> out.write(12);
                case 'r' -> out.write(13);
                case 'x' -> {
                    if (i + 2 >= body.length()) {
                        throw new IllegalArgumentException("truncated \\x escape");
                    }
                    out.write(Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        int digits = 1;
                        while (digits < 3 && i + 1 < body.length() && body.charAt(i + 1) >= '0'
                                && body.charAt(i + 1) <= '7') {
                            value = value * 8 + body.charAt(++i) - '0';
                            digits++;
                        }
                        out.write(value & 0xFF);
                    } else {
                        out.write('\\');
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** Text in Python's raw-unicode-escape: {@code \}{@code uXXXX} and {@code \}{@code UXXXXXXXX} escapes, else Latin-1. */
    static String rawUnicodeEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char kind = text.charAt(i + 1);
                int digits = kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
                if (digits > 0 && i + 2 + digits <= text.length()) {
                    out.appendCodePoint(Integer.parseInt(text.substring(i + 2, i + 2 + digits), 16));
                    i += 1 + digits;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
