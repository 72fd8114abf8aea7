package io.tinyml.core.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** No package cycles inside tinyml-core: each top-level package of core (ir, io, eval, runner, ...) is a slice. */
class CorePackageCyclesTest {

    @Test
    void corePackagesAreFreeOfCycles() {
        JavaClasses core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tinyml.core");
        ArchRule rule = slices().matching("io.tinyml.core.(*)..").should().beFreeOfCycles();
        rule.check(core);
    }
}
