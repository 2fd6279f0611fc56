package dev.gradus;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.gradus.model.Model;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of core form floors, and a floor never imports a higher one (DESIGN §2):
 * {@code kernel, tensor, optim, metrics → nn, data → train → io → model}, with the ONNX, CLI,
 * Spark and benchmark modules above all of core. Within a floor, imports go one way only (no
 * cycles between packages anywhere in core).
 *
 * <p>{@code dev.gradus.internal} is plumbing shared by Gradus's own packages and modules, not
 * API: no public signature of a user-facing package may mention one of its types, so a user
 * never has to touch it.
 */
class FloorsTest {

    /** Floor 0 at the bottom; a package may import its own floor and those below. */
    private static final List<List<String>> FLOORS = List.of(
            List.of("internal", "kernel", "tensor", "optim", "metrics"),
            List.of("nn", "data"),
            List.of("train"),
            List.of("io"),
            List.of("model"));

    /** The modules above core: nothing in core may import them. */
    private static final List<String> ABOVE_CORE = List.of("dev.gradus.onnx..", "dev.gradus.cli..",
            "dev.gradus.spark..", "dev.gradus.bench..");

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        // Core's compiled main classes only (the folder Model.class came from): fast, and no test code.
        Path classes;
        try {
            classes = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(classes);
        if (core.stream().noneMatch(c -> c.getPackageName().equals("dev.gradus.kernel"))) {
            throw new IllegalStateException("no core classes found in " + classes);
        }
    }

    private static String[] packages(List<String> names) {
        return names.stream().map(n -> "dev.gradus." + n + "..").toArray(String[]::new);
    }

    @Test
    void everyPackageOfCoreIsOnAFloor() {
        List<String> all = new ArrayList<>();
        FLOORS.forEach(all::addAll);
        classes().should().resideInAnyPackage(packages(all))
                .because("a new package gets its floor in FloorsTest (and DESIGN.md)").check(core);
    }

    @Test
    void noFloorImportsAHigherOne() {
        for (int f = 0; f < FLOORS.size(); f++) {
            List<String> higher = new ArrayList<>(ABOVE_CORE);
            for (int g = f + 1; g < FLOORS.size(); g++) {
                higher.addAll(List.of(packages(FLOORS.get(g))));
            }
            noClasses().that().resideInAnyPackage(packages(FLOORS.get(f)))
                    .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(String[]::new))
                    .because("floor " + f + " " + FLOORS.get(f) + " sits below " + higher)
                    .check(core);
        }
    }

    /** The packages whose public types are plumbing, not API (see their package-info). */
    private static final String INTERNAL = "dev.gradus.internal";

    @Test
    void noPublicSignatureOfAnApiPackageMentionsAnInternalType() {
        List<String> leaks = new ArrayList<>();
        for (JavaClass c : core) {
            if (c.getPackageName().startsWith(INTERNAL) || !visible(c.getModifiers())
                    || (c.getEnclosingClass().isPresent() && !visible(c.getEnclosingClass().get().getModifiers()))) {
                continue;
            }
            List<JavaType> seen = new ArrayList<>();
            c.getRawSuperclass().ifPresent(seen::add);
            seen.addAll(c.getInterfaces());
            leaks.addAll(internal(c.getName(), seen));
            for (JavaField f : c.getFields()) {
                if (visible(f.getModifiers())) {
                    leaks.addAll(internal(c.getName() + "." + f.getName(), List.of(f.getType())));
                }
            }
            for (JavaCodeUnit u : c.getCodeUnits()) {
                if (visible(u.getModifiers()) && !u.getModifiers().contains(JavaModifier.SYNTHETIC)) {
                    List<JavaType> types = new ArrayList<>(u.getParameterTypes());
                    types.add(u.getReturnType());
                    u.getThrowsClause().getTypes().forEach(types::add);
                    leaks.addAll(internal(u.getFullName(), types));
                }
            }
        }
        assertTrue(core.stream().anyMatch(c -> c.getPackageName().equals(INTERNAL)), "no internal classes imported");
        assertEquals(List.of(), leaks, "public API that exposes " + INTERNAL + " (keep those types behind the API)");
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static List<String> internal(String where, List<? extends JavaType> types) {
        List<String> found = new ArrayList<>();
        for (JavaType t : types) {
            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                if (raw.getPackageName().startsWith(INTERNAL)) {
                    found.add(where + " uses " + raw.getName());
                }
            }
        }
        return found;
    }

    @Test
    void packagesImportEachOtherOneWayOnly() {
        slices().matching("dev.gradus.(*)..").should().beFreeOfCycles().check(core);
    }
}
