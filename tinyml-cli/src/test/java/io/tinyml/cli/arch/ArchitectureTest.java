package io.tinyml.cli.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Enforces ARCHITECTURE.md's module arrows and "no module imports another module's internal package" over the
 * main classes of every library module (the CLI's test classpath holds them all). Known violations are listed
 * below and frozen: a new one fails, a fixed one is reported so the list can shrink.
 */
class ArchitectureTest {
    /** Main classes only: test classes and the core test-jar are left out. */
    private static final ImportOption MAIN_ONLY = location -> !location.contains("/test-classes/")
            && !location.contains("-tests.jar");

    /** Frozen dependencies against the arrows: none (the fit report's C project is composed by the CLI). */
    static final Set<String> KNOWN_AGAINST_ARROWS = Set.of();

    private static JavaClasses mainClasses() {
        return new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("io.tinyml");
    }

    @Test
    void modulesDependOnlyAlongTheArrows() {
        JavaClasses classes = mainClasses();
        assertTrue(classes.size() > 500, "expected the classes of every library module, found " + classes.size());
        check("against ARCHITECTURE.md's module arrows", ModuleDependencies.againstArrows(classes),
                KNOWN_AGAINST_ARROWS);
    }

    @Test
    void noModuleUsesAnotherModulesInternals() {
        check("into another module's internal package", ModuleDependencies.intoOtherModulesInternals(mainClasses()),
                Set.of());
    }

    @Test
    void theRulesSeeAForbiddenImport() {
        JavaClasses fixture = new ClassFileImporter().importClasses(io.tinyml.quantize.archfixture.ForbiddenImports.class);
        assertEquals(Set.of("quantize -> io.tinyml.codegen.CodeGenerator", "quantize -> io.tinyml.train.internal.DjlEngine"),
                ModuleDependencies.againstArrows(fixture));
        assertEquals(Set.of("quantize -> io.tinyml.train.internal.DjlEngine"),
                ModuleDependencies.intoOtherModulesInternals(fixture));
    }

    private static void check(String what, Set<String> found, Set<String> known) {
        Set<String> added = new TreeSet<>(found);
        added.removeAll(known);
        Set<String> fixed = new TreeSet<>(known);
        fixed.removeAll(found);
        if (!fixed.isEmpty()) {
            System.out.println("architecture: fixed (remove from the frozen list): " + fixed);
        }
        System.out.printf("architecture: %d dependencies %s (%d frozen)%n", found.size(), what, known.size());
        assertTrue(added.isEmpty(), "new dependencies " + what + ":\n  " + String.join("\n  ", added));
    }
}
