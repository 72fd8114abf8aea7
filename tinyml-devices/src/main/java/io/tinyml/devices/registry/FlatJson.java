package io.tinyml.devices.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes the flat JSON objects of the registry files (string and integer values only). */
final class FlatJson {
    private FlatJson() {
    }

    static String write(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append("  ").append(quote(e.getKey())).append(": ");
            sb.append(e.getValue() instanceof Number ? e.getValue().toString() : quote(String.valueOf(e.getValue())));
            sb.append(++i < m.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static Map<String, String> read(String text, Path source) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        int[] pos = {skip(text, 0)};
        expect(text, pos, '{', source);
        pos[0] = skip(text, pos[0]);
        if (pos[0] < text.length() && text.charAt(pos[0]) == '}') {
            return m;
        }
        while (true) {
            pos[0] = skip(text, pos[0]);
            String key = string(text, pos, source);
            pos[0] = skip(text, pos[0]);
            expect(text, pos, ':', source);
            pos[0] = skip(text, pos[0]);
            String value;
            if (pos[0] < text.length() && text.charAt(pos[0]) == '"') {
                value = string(text, pos, source);
            } else {
                int start = pos[0];
                while (pos[0] < text.length() && (Character.isDigit(text.charAt(pos[0])) || text.charAt(pos[0]) == '-')) {
                    pos[0]++;
                }
                if (start == pos[0]) {
                    throw malformed(source, "expected a string or an integer at offset " + start);
                }
                value = text.substring(start, pos[0]);
            }
            m.put(key, value);
            pos[0] = skip(text, pos[0]);
            if (pos[0] < text.length() && text.charAt(pos[0]) == ',') {
                pos[0]++;
                continue;
            }
            expect(text, pos, '}', source);
            return m;
        }
    }

    private static String string(String t, int[] pos, Path source) throws IOException {
        expect(t, pos, '"', source);
        StringBuilder sb = new StringBuilder();
        while (pos[0] < t.length()) {
            char c = t.charAt(pos[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\' && pos[0] < t.length()) {
                char e = t.charAt(pos[0]++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 'u' -> {
                        if (pos[0] + 4 > t.length()) {
                            throw malformed(source, "truncated \\u escape");
                        }
                        sb.append((char) Integer.parseInt(t.substring(pos[0], pos[0] + 4), 16));
                        pos[0] += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
        throw malformed(source, "unterminated string");
    }

    private static void expect(String t, int[] pos, char c, Path source) throws IOException {
        if (pos[0] >= t.length() || t.charAt(pos[0]) != c) {
            throw malformed(source, "expected '" + c + "' at offset " + pos[0]);
        }
        pos[0]++;
    }

    private static int skip(String t, int i) {
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        return i;
    }

    private static IOException malformed(Path source, String why) {
        return new IOException("malformed device file " + source + ": " + why);
    }
}
