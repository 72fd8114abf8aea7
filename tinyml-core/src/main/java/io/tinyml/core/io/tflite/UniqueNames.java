package io.tinyml.core.io.tflite;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Makes tensor names unique: a repeated name gets the next free suffix {@code _k}; an empty name becomes
 * {@code t<index>}. Continues from the last suffix of each base name, so thousands of duplicates cost linear
 * work; {@link #tried()} counts the candidate names looked up, so that tests can check it.
 */
final class UniqueNames {
    private long tried;

    /**
     * Assigns unique names.
     *
     * @param raw the names by tensor index; null for tensors that are not used (they get null)
     * @return the unique names by tensor index
     */
    String[] assign(String[] raw) {
        String[] names = new String[raw.length];
        Set<String> taken = new HashSet<>();
        for (String r : raw) {
            if (r != null && !r.isEmpty()) {
                taken.add(r);
            }
        }
        Set<String> assigned = new HashSet<>();
        Map<String, Integer> nextSuffix = new HashMap<>();
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == null) {
                continue;
            }
            String base = raw[i].isEmpty() ? "t" + i : raw[i];
            String name = base;
            tried++;
            if (assigned.contains(name) || (raw[i].isEmpty() && taken.contains(name))) {
                int k = nextSuffix.getOrDefault(base, 1);
                do {
                    name = base + "_" + k++;
                    tried++;
                } while (assigned.contains(name) || taken.contains(name));
                nextSuffix.put(base, k);
            }
            assigned.add(name);
            names[i] = name;
        }
        return names;
    }

    /** Returns how many candidate names were looked up so far. */
    long tried() {
        return tried;
    }
}
