package io.tinyml.cli.arch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The module arrows of ARCHITECTURE.md as data, and the dependencies of a set of classes that break them.
 * A module is the package {@code io.tinyml.<module>}; a dependency is any reference ArchUnit records
 * (import, field, call, signature, annotation).
 */
final class ModuleDependencies {
    /** Which modules each module may use (besides itself), as ARCHITECTURE.md's arrows say. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "core", Set.of(),
            "quantize", Set.of("core"),
            "prune", Set.of("core", "train"),
            "train", Set.of("core"),
            "codegen", Set.of("core"),
            "nas", Set.of("core", "quantize", "prune", "train"),
            "devices", Set.of("core", "codegen"),
            "offload", Set.of("core", "codegen", "quantize"),
            "cli", Set.of("core", "quantize", "prune", "train", "codegen", "nas", "devices", "offload"));

    private ModuleDependencies() {
    }

    /**
     * Names the module of a class.
     *
     * @param c the class
     * @return the module ("core", "nas", ...) or null outside {@code io.tinyml}
     */
    static String module(JavaClass c) {
        String p = c.getPackageName();
        if (!p.startsWith("io.tinyml.")) {
            return null;
        }
        String rest = p.substring("io.tinyml.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /**
     * The dependencies against the arrows, as "origin-module -> target class".
     *
     * @param classes the classes to check
     * @return the violations, sorted
     */
    static Set<String> againstArrows(JavaClasses classes) {
        return crossing(classes, (from, to, target) -> !ALLOWED.getOrDefault(from, Set.of()).contains(to));
    }

    /**
     * The dependencies on another module's {@code internal} packages, as "origin-module -> target class".
     *
     * @param classes the classes to check
     * @return the violations, sorted
     */
    static Set<String> intoOtherModulesInternals(JavaClasses classes) {
        return crossing(classes, (from, to, target) -> (target.getPackageName() + ".").contains(".internal."));
    }

    /** Decides whether a dependency from one module to a class of another breaks a rule. */
    @FunctionalInterface
    private interface Rule {
        boolean broken(String from, String to, JavaClass target);
    }

    private static Set<String> crossing(JavaClasses classes, Rule rule) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = module(c);
            if (from == null) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                String to = module(target);
                if (to != null && !to.equals(from) && rule.broken(from, to, target)) {
                    out.add(from + " -> " + target.getName());
                }
            }
        }
        return out;
    }
}
