package io.tinyml.core.json;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.io.keras.internal.Cfg;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict, bounded JSON parser and the writer of the CLI's --json layout. */
class JsonTest {

    @Test
    void parsesValuesOfEveryKind() {
        Object v = Json.parseAllowingNonFinite(" {\"a\": [1, -2.5, 1e3, true, false, null, \"x\\u00e9\\n\\ud83d\\ude00\"],"
                + " \"b\": {}, \"n\": NaN, \"i\": -Infinity, \"big\": 123456789012345678901} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(1000.0, a.get(2));
        assertEquals(Boolean.TRUE, a.get(3));
        assertNull(a.get(5));
        assertEquals("x\u00e9\n\ud83d\ude00", a.get(6));
        assertEquals(Map.of(), m.get("b"));
        assertTrue(Double.isNaN((Double) m.get("n")));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("i"));
        assertEquals(1.2345678901234568e20, m.get("big"));
        assertEquals(List.of("b", "n", "i", "big"), List.copyOf(m.keySet()).subList(1, 5));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("a"));
    }

    @Test
    void refusesInvalidTextNamingTheOffset() {
        String[] bad = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "[1] x", "\"\\x\"", "\"a\nb\"",
            "{\"a\":1,\"a\":2}", "tru", "{1:2}", "[1 2]", "// c\n1", "'a'", "\"abc", "NaN", "[Infinity]"};
        for (String s : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().matches("invalid JSON at char \\d+: expected .*, found .*"), e.getMessage());
        }
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertTrue(trailing.getMessage().startsWith("invalid JSON at char 4:"), trailing.getMessage());
        for (String s : List.of("\"\\ud800\"", "\"\\udc00\"", "{\"\\udc00\": 1}", "\"\ud800x\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
        }
    }

    @Test
    void boundsDepthSizeAndTokenCount() {
        Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH));
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("[".repeat(1_000_000) + "]".repeat(1_000_000)));
        assertTrue(deep.getMessage().contains("(" + Json.MAX_DEPTH), deep.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Json.parse("{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1)));
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("[" + "0,".repeat(Json.MAX_TOKENS) + "0]"));
        assertTrue(many.getMessage().contains("Token count"), many.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Json.parse(" ".repeat(Json.MAX_CHARS + 1)));
        assertTrue(big.getMessage().contains("at most " + Json.MAX_CHARS + " chars"), big.getMessage());
    }

    @Test
    void kerasConfigErrorsNameTheFile() {
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> Cfg.parse("{\"a\":", "'m.h5'"));
        assertTrue(e.getMessage().startsWith("'m.h5': invalid JSON at char 5: expected"), e.getMessage());
    }

    @Test
    void writesTheCliLayout() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a\"b\\c\n\t\u0001");
        m.put("int", 3);
        m.put("double", 2.0);
        m.put("float", 0.5f);
        m.put("big", 1e20);
        m.put("nan", Double.NaN);
        m.put("none", null);
        m.put("shape", new int[] {1, 28, 28, 1});
        m.put("scales", new float[] {0.25f});
        m.put("empty", List.of());
        m.put("nested", List.of(Map.of("k", true), List.of(1L)));
        m.put("obj", Map.of());
        m.put("set", new java.util.TreeSet<>(List.of("b", "a")));
        assertEquals("""
                {
                  "name": "a\\"b\\\\c\\n\\t\\u0001",
                  "int": 3,
                  "double": 2.0,
                  "float": 0.5,
                  "big": 1.0E20,
                  "nan": null,
                  "none": null,
                  "shape": [1, 28, 28, 1],
                  "scales": [0.25],
                  "empty": [],
                  "nested": [
                    {
                      "k": true
                    },
                    [1]
                  ],
                  "obj": {},
                  "set": ["a", "b"]
                }""", Json.write(m));
        Object back = Json.parse(Json.write(m));
        assertEquals(Arrays.asList(1L, 28L, 28L, 1L), ((Map<?, ?>) back).get("shape"));
    }
}
