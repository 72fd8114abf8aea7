package io.tinyml.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and writes JSON with Jackson, strictly and within hard limits.
 *
 * <p>Parsing follows RFC 8259 and refuses duplicate keys, trailing commas, comments, single quotes,
 * leading zeros, control characters in strings, unpaired surrogates and any content after the value.
 * Texts longer than {@link #MAX_CHARS}, nesting deeper than {@link #MAX_DEPTH} and more than
 * {@link #MAX_TOKENS} tokens are refused before they can exhaust memory or the stack. Values become
 * {@link Map} (insertion-ordered, unmodifiable), {@link List} (unmodifiable), {@link String},
 * {@link Long} (integers that fit, others become {@link Double}), {@link Double}, {@link Boolean} and
 * {@code null}. Errors are {@link IllegalArgumentException}s worded
 * "invalid JSON at char N: expected X, found Y".
 *
 * <p>Writing uses two-space indentation; a list of scalars stays on one line, other lists put one
 * element per line; floating-point numbers always carry a fraction ({@code 1.0}) and non-finite
 * ones become {@code null}. This layout is the CLI's {@code --json} contract.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\": [1, 2.5]}");
 * String text = Json.write(Map.of("flash", 1024));
 * }</pre>
 */
public final class Json {
    /** The deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;
    /** The longest text accepted, in chars. */
    public static final int MAX_CHARS = 16 << 20;
    /** The most tokens (values, keys, brackets) accepted in one text. */
    public static final int MAX_TOKENS = 4 << 20;
    private static final int MAX_NUMBER_CHARS = 400;

    private static final ObjectMapper STRICT = mapper(false);
    private static final ObjectMapper NON_FINITE = mapper(true);

    private Json() {
    }

    /**
     * Parses one strict JSON text (RFC 8259).
     *
     * @param text the text
     * @return the value (see the class comment for the Java types)
     * @throws IllegalArgumentException if the text is not valid JSON or exceeds a limit, with the char offset
     */
    public static Object parse(String text) {
        return parse(text, STRICT);
    }

    /**
     * Parses one JSON text that may also hold Python's {@code NaN}, {@code Infinity} and
     * {@code -Infinity}, which Python's {@code json.dumps} (and so Keras) writes.
     *
     * @param text the text
     * @return the value; the extension values become the matching {@link Double}s
     * @throws IllegalArgumentException if the text is not valid JSON or exceeds a limit, with the char offset
     */
    public static Object parseAllowingNonFinite(String text) {
        return parse(text, NON_FINITE);
    }

    /**
     * Names the JSON type of a parsed value, for messages.
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

    /**
     * Writes a value as indented JSON.
     *
     * @param value a Map (keys written with {@code String.valueOf}), List or other Collection (in its iteration
     *              order), CharSequence, Number, Boolean,
     *              Enum (its name), int[]/long[]/float[]/double[] or null; anything else is written as its
     *              {@code toString()}
     * @return the JSON text, without a trailing newline
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private static ObjectMapper mapper(boolean nonFinite) {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxDocumentLength(MAX_CHARS)
                .maxTokenCount(MAX_TOKENS)
                .maxNumberLength(MAX_NUMBER_CHARS)
                .maxStringLength(MAX_CHARS)
                .maxNameLength(MAX_CHARS)
                .build();
        var factory = JsonFactory.builder()
                .streamReadConstraints(limits)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .configure(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS, nonFinite)
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private static Object parse(String text, ObjectMapper mapper) {
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("invalid JSON: expected at most " + MAX_CHARS + " chars, found "
                    + text.length());
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("invalid JSON at char " + text.length()
                    + ": expected a value, found end of text");
        }
        return value(root);
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at != null && at.getCharOffset() >= 0 ? " at char " + at.getCharOffset() : "";
        String why = String.valueOf(e.getOriginalMessage()).replace('\n', ' ');
        return "invalid JSON" + where + ": expected valid JSON, found " + why;
    }

    private static Object value(JsonNode n) {
        switch (n.getNodeType()) {
            case OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    m.put(checked(e.getKey()), value(e.getValue()));
                }
                return Collections.unmodifiableMap(m);
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>(n.size());
                for (JsonNode e : n) {
                    l.add(value(e));
                }
                return Collections.unmodifiableList(l);
            }
            case STRING:
                return checked(n.textValue());
            case NUMBER:
                if (n.isIntegralNumber() && n.canConvertToLong()) {
                    return n.longValue();
                }
                return n.doubleValue();
            case BOOLEAN:
                return n.booleanValue();
            default:
                return null;
        }
    }

    /** Jackson passes unpaired surrogates through; RFC 8259 strings are Unicode text, so they are refused. */
    private static String checked(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format("invalid JSON: expected a valid surrogate pair in "
                        + "a string, found a lone \\u%04x", (int) c));
            }
        }
        return s;
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof CharSequence s) {
            string(sb, s.toString());
        } else if (v instanceof Double || v instanceof Float) {
            number(sb, ((Number) v).doubleValue());
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Enum<?> e) {
            string(sb, e.name());
        } else if (v instanceof Map<?, ?> m) {
            object(sb, m, indent);
        } else if (v instanceof List<?> l) {
            array(sb, l, indent);
        } else if (v instanceof Collection<?> c) {
            array(sb, new ArrayList<>(c), indent);
        } else if (v instanceof int[] a) {
            array(sb, Arrays.stream(a).boxed().toList(), indent);
        } else if (v instanceof long[] a) {
            array(sb, Arrays.stream(a).boxed().toList(), indent);
        } else if (v instanceof double[] a) {
            array(sb, Arrays.stream(a).boxed().toList(), indent);
        } else if (v instanceof float[] a) {
            List<Double> d = new ArrayList<>(a.length);
            for (float f : a) {
                d.add((double) f);
            }
            array(sb, d, indent);
        } else {
            string(sb, v.toString());
        }
    }

    private static void object(StringBuilder sb, Map<?, ?> m, int indent) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append("{\n");
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            sb.append("  ".repeat(indent + 1));
            string(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            write(sb, e.getValue(), indent + 1);
            sb.append(it.hasNext() ? ",\n" : "\n");
        }
        sb.append("  ".repeat(indent)).append('}');
    }

    private static void array(StringBuilder sb, List<?> l, int indent) {
        boolean flat = l.stream().allMatch(x -> x == null || x instanceof Number || x instanceof CharSequence
                || x instanceof Boolean);
        if (flat) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "");
                write(sb, l.get(i), indent);
            }
            sb.append(']');
            return;
        }
        sb.append("[\n");
        for (int i = 0; i < l.size(); i++) {
            sb.append("  ".repeat(indent + 1));
            write(sb, l.get(i), indent + 1);
            sb.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        sb.append("  ".repeat(indent)).append(']');
    }

    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d).append(".0");
        } else {
            sb.append(d);
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }
}
