package io.tinyml.core.target;

import io.tinyml.core.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes user-defined targets as JSON. A file holds one target object, or an array of
 * them. Format version 1:
 *
 * <pre>{@code
 * {"format": 1, "name": "my-board", "core": "CORTEX_M4", "clockMhz": 80, "ramBytes": 98304,
 *  "flashBytes": 524288, "features": ["FPU", "DSP_SIMD"], "activePowerMw": 25,
 *  "powerSource": "datasheet table 12", "description": "STM32L432KC", "emulated": false}
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class TargetFiles {
    /** The format version written and the newest one read. */
    public static final int FORMAT = 1;

    private TargetFiles() {
    }

    /**
     * Reads the targets of a file.
     *
     * @param file the JSON file
     * @return the targets, at least one
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the JSON is malformed or a field is missing or wrong
     */
    public static List<Target> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses targets from JSON text.
     *
     * @param json one target object or an array of them
     * @return the targets
     * @throws IllegalArgumentException if malformed
     */
    public static List<Target> parse(String json) {
        Object root = Json.parse(json);
        List<Target> out = new ArrayList<>();
        if (root instanceof List<?> l) {
            for (Object o : l) {
                out.add(fromMap(o));
            }
        } else {
            out.add(fromMap(root));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("expected at least one target, found an empty array");
        }
        return out;
    }

    /**
     * Writes targets as a JSON array.
     *
     * @param targets the targets
     * @return the JSON text
     */
    public static String toJson(List<Target> targets) {
        return Json.write(targets.stream().map(TargetFiles::toMap).toList());
    }

    /**
     * Returns a target as a JSON-ready map (the file format).
     *
     * @param t the target
     * @return an insertion-ordered map
     */
    public static Map<String, Object> toMap(Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("name", t.name());
        m.put("description", t.description());
        m.put("core", t.core().name());
        m.put("clockMhz", t.clockMhz());
        m.put("ramBytes", t.ramBytes());
        m.put("flashBytes", t.flashBytes());
        m.put("features", t.features().stream().sorted().map(Enum::name).toList());
        m.put("activePowerMw", t.activePowerMw());
        m.put("powerSource", t.powerSource());
        m.put("emulated", t.emulated());
        return m;
    }

    private static Target fromMap(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("expected a target object, found " + describe(o));
        }
        Object fmt = m.get("format");
        if (fmt != null && (!(fmt instanceof Long f) || f > FORMAT || f < 1)) {
            throw new IllegalArgumentException("expected target file format 1.." + FORMAT + ", found " + fmt);
        }
        String name = str(m, "name", true);
        Target.Builder b = Target.builder().setName(name).setCore(Core.parse(str(m, "core", true)))
                .setClockHz(Math.round(num(m, "clockMhz", name) * 1e6))
                .setRamBytes((long) num(m, "ramBytes", name)).setFlashBytes((long) num(m, "flashBytes", name));
        String d = str(m, "description", false);
        if (d != null) {
            b.optDescription(d);
        }
        Object f = m.get("features");
        if (f != null) {
            if (!(f instanceof List<?> fl)) {
                throw new IllegalArgumentException("expected 'features' to be an array in target '" + name
                        + "', found " + describe(f));
            }
            Set<Feature> fs = EnumSet.noneOf(Feature.class);
            for (Object x : fl) {
                try {
                    fs.add(Feature.valueOf(String.valueOf(x)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("expected a feature, one of " + List.of(Feature.values())
                            + ", found '" + x + "' in target '" + name + "'");
                }
            }
            b.optFeatures(fs);
        }
        if (m.get("activePowerMw") != null) {
            String src = str(m, "powerSource", false);
            b.optActivePower(num(m, "activePowerMw", name), src != null ? src : "user-supplied");
        }
        if (m.get("emulated") instanceof Boolean e) {
            b.optEmulated(e);
        }
        return b.build();
    }

    private static String str(Map<?, ?> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("expected a string '" + key + "' in target, found " + describe(v));
        }
        return s;
    }

    private static double num(Map<?, ?> m, String key, String target) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("expected a number '" + key + "' in target '" + target + "', found "
                    + describe(v));
        }
        return n.doubleValue();
    }

    private static String describe(Object v) {
        return v == null ? "nothing" : v instanceof String s ? "\"" + s + "\"" : v.getClass().getSimpleName() + " " + v;
    }
}
