package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON object of a Keras configuration with typed getters whose failures name the place:
 * "layer 'conv2d' (Conv2D): key 'strides': expected an array of 2 positive integers, found [1]".
 * Immutable and thread-safe.
 *
 * @param map the object's entries
 * @param where the place, for messages
 */
public record Cfg(Map<String, Object> map, String where) {

    /** Dimensions and counts read from a configuration never exceed this (2^24). */
    public static final int MAX_DIM = 1 << 24;

    /**
     * Parses the JSON of a Keras file (strict, bounded, with Python's NaN and Infinity).
     *
     * @param text the text
     * @param what what the text is, for messages (e.g. "'m.h5': model_config")
     * @return the value; JSON null is {@code null}
     * @throws MalformedModelException if the text is not valid JSON or exceeds a limit of {@link Json}
     */
    public static Object parse(String text, String what) throws MalformedModelException {
        try {
            return Json.parseAllowingNonFinite(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException(what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Wraps a parsed value that must be an object.
     *
     * @param v the value
     * @param where the place, for messages
     * @return the object
     * @throws MalformedModelException if the value is not an object
     */
    @SuppressWarnings("unchecked")
    public static Cfg of(Object v, String where) throws MalformedModelException {
        if (!(v instanceof Map)) {
            throw new MalformedModelException(where + ": expected an object, found " + Json.typeName(v));
        }
        return new Cfg((Map<String, Object>) v, where);
    }

    /**
     * Tells whether a key is present with a non-null value.
     *
     * @param key the key
     * @return true when present and not JSON null
     */
    public boolean has(String key) {
        Object v = map.get(key);
        return v != null;
    }

    /**
     * Returns a raw value, or null when absent or JSON null.
     *
     * @param key the key
     * @return the value or null
     */
    public Object raw(String key) {
        return map.get(key);
    }

    /**
     * Returns a nested object.
     *
     * @param key the key
     * @return the object
     * @throws MalformedModelException if absent or not an object
     */
    public Cfg obj(String key) throws MalformedModelException {
        return of(require(key), where + ": key '" + key + "'");
    }

    /**
     * Returns a string.
     *
     * @param key the key
     * @return the string
     * @throws MalformedModelException if absent or not a string
     */
    public String str(String key) throws MalformedModelException {
        Object v = require(key);
        if (!(v instanceof String s)) {
            throw fail(key, "a string", v);
        }
        return s;
    }

    /**
     * Returns a string or a default when absent or null.
     *
     * @param key the key
     * @param dflt the default
     * @return the string
     * @throws MalformedModelException if present but not a string
     */
    public String str(String key, String dflt) throws MalformedModelException {
        return has(key) ? str(key) : dflt;
    }

    /**
     * Returns a boolean or a default.
     *
     * @param key the key
     * @param dflt the default when absent or null
     * @return the value
     * @throws MalformedModelException if present but not a boolean
     */
    public boolean bool(String key, boolean dflt) throws MalformedModelException {
        if (!has(key)) {
            return dflt;
        }
        Object v = map.get(key);
        if (!(v instanceof Boolean b)) {
            throw fail(key, "a boolean", v);
        }
        return b;
    }

    /**
     * Returns a finite number or a default.
     *
     * @param key the key
     * @param dflt the default when absent or null
     * @return the value
     * @throws MalformedModelException if present but not a finite number
     */
    public double num(String key, double dflt) throws MalformedModelException {
        if (!has(key)) {
            return dflt;
        }
        Object v = map.get(key);
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw fail(key, "a finite number", v);
        }
        return n.doubleValue();
    }

    /**
     * Returns an integer in a range.
     *
     * @param key the key
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the value
     * @throws MalformedModelException if absent, not an integer or out of range
     */
    public int integer(String key, int min, int max) throws MalformedModelException {
        return toInt(require(key), key, min, max);
    }

    /**
     * Returns an integer in a range, or a default when absent or null.
     *
     * @param key the key
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param dflt the default
     * @return the value
     * @throws MalformedModelException if present but not an integer in range
     */
    public int integer(String key, int min, int max, int dflt) throws MalformedModelException {
        return has(key) ? integer(key, min, max) : dflt;
    }

    /**
     * Returns {@code n} integers in a range, from an array of {@code n} or from one integer repeated
     * (Keras accepts {@code 3} for {@code (3, 3)}).
     *
     * @param key the key
     * @param n how many
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param dflt the default when absent or null, or null to require the key
     * @return the values
     * @throws MalformedModelException if malformed
     */
    public int[] ints(String key, int n, int min, int max, int[] dflt) throws MalformedModelException {
        if (!has(key)) {
            if (dflt == null) {
                throw new MalformedModelException(where + ": expected key '" + key + "', found none");
            }
            return dflt.clone();
        }
        Object v = map.get(key);
        int[] out = new int[n];
        if (v instanceof Number) {
            java.util.Arrays.fill(out, toInt(v, key, min, max));
            return out;
        }
        List<Object> l = list(key);
        if (l.size() != n) {
            throw fail(key, "an array of " + n + " integers", v);
        }
        for (int i = 0; i < n; i++) {
            out[i] = toInt(l.get(i), key, min, max);
        }
        return out;
    }

    /**
     * Returns an array.
     *
     * @param key the key
     * @return the list
     * @throws MalformedModelException if absent or not an array
     */
    @SuppressWarnings("unchecked")
    public List<Object> list(String key) throws MalformedModelException {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw fail(key, "an array", v);
        }
        return (List<Object>) v;
    }

    /**
     * Reads a shape: integers of at most rank 8, null (an unknown dimension) as -1.
     *
     * @param key the key
     * @return the dimensions, -1 for null
     * @throws MalformedModelException if malformed
     */
    public int[] shape(String key) throws MalformedModelException {
        List<Object> l = list(key);
        if (l.size() > 8) {
            throw fail(key, "a shape of rank at most 8", "rank " + l.size());
        }
        int[] d = new int[l.size()];
        for (int i = 0; i < d.length; i++) {
            Object v = l.get(i);
            d[i] = v == null ? -1 : toInt(v, key, 0, MAX_DIM);
        }
        return d;
    }

    /**
     * Converts a value to an int in range.
     *
     * @param v the value
     * @param key the key, for messages
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the int
     * @throws MalformedModelException if not an integer in range
     */
    public int toInt(Object v, String key, int min, int max) throws MalformedModelException {
        if (v instanceof Long l && l >= min && l <= max) {
            return (int) (long) l;
        }
        if (v instanceof Double d && d == Math.rint(d) && d >= min && d <= max) {
            return (int) (double) d;
        }
        throw fail(key, "an integer in [" + min + ", " + max + "]", v);
    }

    private Object require(String key) throws MalformedModelException {
        Object v = map.get(key);
        if (v == null) {
            throw new MalformedModelException(where + ": expected key '" + key + "', found "
                    + (map.containsKey(key) ? "null" : "none"));
        }
        return v;
    }

    /**
     * Builds the failure for a key.
     *
     * @param key the key
     * @param expected what was expected
     * @param found the value found (a parsed value or a description)
     * @return the exception
     */
    public MalformedModelException fail(String key, String expected, Object found) {
        return new MalformedModelException(where + ": key '" + key + "': expected " + expected + ", found "
                + shorten(found));
    }

    /**
     * Renders a parsed value for messages, at most 60 chars.
     *
     * @param v the value
     * @return the text
     */
    public static String shorten(Object v) {
        String t = v instanceof String s ? "'" + s + "'" : v instanceof Map || v instanceof List
                ? Json.typeName(v) + " " + brief(v) : String.valueOf(v);
        return t.length() > 60 ? t.substring(0, 57) + "..." : t;
    }

    private static String brief(Object v) {
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Math.min(l.size(), 8); i++) {
                Object e = l.get(i);
                parts.add(e instanceof Map || e instanceof List ? Json.typeName(e) : String.valueOf(e));
            }
            return parts + (l.size() > 8 ? " (" + l.size() + " items)" : "");
        }
        return "{" + String.join(", ", ((Map<?, ?>) v).keySet().stream().limit(8).map(String::valueOf).toList()) + "}";
    }
}
