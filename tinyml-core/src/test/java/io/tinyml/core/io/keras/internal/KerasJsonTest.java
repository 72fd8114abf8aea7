package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict, bounded JSON parser of the Keras reader. */
class KerasJsonTest {

    @Test
    void parsesValuesOfEveryKind() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2.5, 1e3, true, false, null, \"x\\u00e9\\n\\ud83d\\ude00\"], \"b\": {},"
                + " \"n\": NaN, \"i\": -Infinity, \"big\": 123456789012345678901} ", "t");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(1000.0, a.get(2));
        assertEquals(Boolean.TRUE, a.get(3));
        assertSame(Json.NULL, a.get(5));
        assertEquals("x\u00e9\n\ud83d\ude00", a.get(6));
        assertEquals(Map.of(), m.get("b"));
        assertTrue(Double.isNaN((Double) m.get("n")));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("i"));
        assertEquals(1.2345678901234568e20, m.get("big"));
        assertEquals(List.of("b", "n", "i", "big"), List.copyOf(m.keySet()).subList(1, 5));
    }

    @Test
    void refusesInvalidTextWithExpectedFound() {
        String[] bad = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "[1] x", "\"\\x\"", "\"a\nb\"",
            "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00\"", "tru", "{1:2}", "[1 2]", "// c\n1", "'a'", "\"abc"};
        for (String s : bad) {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> Json.parse(s, "t"), s);
            assertTrue(e.getMessage().contains("expected") && e.getMessage().contains("found"), e.getMessage());
        }
    }

    @Test
    void boundsDepthSizeAndValueCount() throws Exception {
        Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH), "t");
        MalformedModelException deep = assertThrows(MalformedModelException.class,
                () -> Json.parse("[".repeat(1_000_000) + "]".repeat(1_000_000), "t"));
        assertTrue(deep.getMessage().contains("nesting of at most " + Json.MAX_DEPTH), deep.getMessage());
        assertThrows(MalformedModelException.class,
                () -> Json.parse("{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1), "t"));
        MalformedModelException many = assertThrows(MalformedModelException.class,
                () -> Json.parse("[" + "0,".repeat(Json.MAX_VALUES) + "0]", "t"));
        assertTrue(many.getMessage().contains("values"), many.getMessage());
        assertThrows(MalformedModelException.class, () -> Json.parse(" ".repeat(Json.MAX_CHARS + 1), "t"));
    }
}
