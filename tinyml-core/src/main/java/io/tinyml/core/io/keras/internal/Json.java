package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON parser (RFC 8259) with hard limits, for Keras model configurations.
 *
 * <p>Values become {@link Map} (insertion-ordered, unmodifiable), {@link List} (unmodifiable),
 * {@link String}, {@link Long} (integers that fit), {@link Double} (other numbers), {@link Boolean}
 * and {@link #NULL}. As an extension Python's {@code NaN}, {@code Infinity} and {@code -Infinity}
 * are accepted, because Python's {@code json.dumps} writes them. Duplicate keys, trailing commas,
 * comments, leading zeros, control characters in strings, unpaired surrogates and trailing content
 * are refused. Nesting deeper than {@link #MAX_DEPTH}, texts longer than {@link #MAX_CHARS} and more
 * than {@link #MAX_VALUES} values end in a {@link MalformedModelException}; the parser is iterative
 * where depth matters only up to the depth limit, so hostile input cannot overflow the stack.
 * Stateless entry point; a parse uses its own state, so it is thread-safe.
 */
public final class Json {
    /** The JSON null. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    /** The deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;
    /** The longest text accepted, in chars. */
    public static final int MAX_CHARS = 16 << 20;
    /** The most values (of any kind) accepted in one text. */
    public static final int MAX_VALUES = 1 << 20;

    private final String s;
    private final String what;
    private int pos;
    private int values;

    private Json(String s, String what) {
        this.s = s;
        this.what = what;
    }

    /**
     * Parses one JSON text.
     *
     * @param text the text
     * @param what what the text is, for messages (e.g. "model_config of 'm.h5'")
     * @return the value
     * @throws MalformedModelException if the text is not valid JSON or exceeds a limit
     */
    public static Object parse(String text, String what) throws MalformedModelException {
        if (text.length() > MAX_CHARS) {
            throw new MalformedModelException(what + ": expected JSON of at most " + MAX_CHARS + " chars, found "
                    + text.length());
        }
        Json p = new Json(text, what);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.fail("end of text", "'" + text.charAt(p.pos) + "'");
        }
        return v;
    }

    /**
     * Names the JSON type of a value, for messages.
     *
     * @param v a parsed value
     * @return "object", "array", "string", "number", "boolean" or "null"
     */
    public static String typeName(Object v) {
        if (v instanceof Map) {
            return "object";
        } else if (v instanceof List) {
            return "array";
        } else if (v instanceof String) {
            return "string";
        } else if (v instanceof Number) {
            return "number";
        } else if (v instanceof Boolean) {
            return "boolean";
        }
        return "null";
    }

    private Object value(int depth) throws MalformedModelException {
        if (++values > MAX_VALUES) {
            throw fail("at most " + MAX_VALUES + " values", "more");
        }
        if (pos >= s.length()) {
            throw fail("a value", "end of text");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            case 'N':
                literal("NaN");
                return Double.NaN;
            case 'I':
                literal("Infinity");
                return Double.POSITIVE_INFINITY;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw fail("a value", "'" + c + "'");
        }
    }

    private void depth(int depth) throws MalformedModelException {
        if (depth > MAX_DEPTH) {
            throw fail("nesting of at most " + MAX_DEPTH + " levels", "deeper nesting");
        }
    }

    private Map<String, Object> object(int depth) throws MalformedModelException {
        depth(depth);
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw fail("a string key", describe());
            }
            String k = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth);
            if (m.put(k, v) != null) {
                throw fail("unique keys", "key '" + k + "' twice");
            }
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return Collections.unmodifiableMap(m);
            } else {
                throw fail("',' or '}'", describe());
            }
        }
    }

    private List<Object> array(int depth) throws MalformedModelException {
        depth(depth);
        pos++;
        List<Object> l = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(l);
        }
        while (true) {
            skipWs();
            l.add(value(depth));
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return Collections.unmodifiableList(l);
            } else {
                throw fail("',' or ']'", describe());
            }
        }
    }

    private String string() throws MalformedModelException {
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw fail("a closing '\"'", "end of text");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw fail("no control characters in strings", String.format("\\u%04x", (int) c));
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || pos >= s.length() || !Character.isLowSurrogate(s.charAt(pos))) {
                    throw fail("a valid surrogate pair", String.format("\\u%04x", (int) c));
                }
                b.append(c).append(s.charAt(pos++));
                continue;
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw fail("an escape", "end of text");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char lo = hex4();
                            if (!Character.isLowSurrogate(lo)) {
                                throw fail("a low surrogate", String.format("\\u%04x", (int) lo));
                            }
                            b.append(u).append(lo);
                        } else {
                            throw fail("a low surrogate after \\u" + String.format("%04x", (int) u), describe());
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw fail("a high surrogate first", String.format("\\u%04x", (int) u));
                    } else {
                        b.append(u);
                    }
                }
                default -> throw fail("a valid escape", "'\\" + e + "'");
            }
        }
    }

    private char hex4() throws MalformedModelException {
        if (pos + 4 > s.length()) {
            throw fail("4 hex digits", "end of text");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
                throw fail("a hex digit", "'" + s.charAt(pos - 1) + "'");
            }
            v = v * 16 + d;
        }
        return (char) v;
    }

    private Object number() throws MalformedModelException {
        int start = pos;
        if (peek() == '-') {
            pos++;
            if (pos < s.length() && s.charAt(pos) == 'I') {
                literal("Infinity");
                return Double.NEGATIVE_INFINITY;
            }
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            throw fail("a digit", describe());
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            if (!(peek() >= '0' && peek() <= '9')) {
                throw fail("a digit after '.'", describe());
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                throw fail("a digit in the exponent", describe());
            }
            digits();
        }
        String t = s.substring(start, pos);
        if (t.length() > 400) {
            throw fail("a number of at most 400 chars", t.length() + " chars");
        }
        if (integral && t.length() <= 19) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                // beyond long: read as a double below
            }
        }
        return Double.parseDouble(t);
    }

    private void digits() {
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
    }

    private void literal(String word) throws MalformedModelException {
        if (!s.startsWith(word, pos)) {
            throw fail("'" + word + "'", describe());
        }
        pos += word.length();
    }

    private void expect(char c) throws MalformedModelException {
        if (peek() != c) {
            throw fail("'" + c + "'", describe());
        }
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private String describe() {
        return pos < s.length() ? "'" + s.charAt(pos) + "'" : "end of text";
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private MalformedModelException fail(String expected, String found) {
        return new MalformedModelException(what + ": invalid JSON at char " + pos + ": expected " + expected
                + ", found " + found);
    }
}
