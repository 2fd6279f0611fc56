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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of core form floors, and a floor never imports a higher one (DESIGN §2):
 * {@code kernel, tensor, optim, metrics → nn, data → train → io → model → tune}, with the ONNX, CLI,
 * Spark and benchmark modules above all of core. Within a floor, imports go one way only (no
 * cycles between packages anywhere in core).
 *
 * <p>Two packages are not API. {@code dev.gradus.internal} is plumbing shared by Gradus's own
 * packages and modules; {@code dev.gradus.kernel} is the engine under {@code nn} and {@code train},
 * of which a user sees one handle, {@link dev.gradus.kernel.Kernels} (how many threads a
 * {@link dev.gradus.nn.Workspace} multiplies on). No public signature of another package may
 * mention any other of their types, so a user never has to touch them.
 */
class FloorsTest {

    /** Floor 0 at the bottom; a package may import its own floor and those below. */
    private static final List<List<String>> FLOORS = List.of(
            List.of("internal", "kernel", "tensor", "optim", "metrics"),
            List.of("nn", "data"),
            List.of("train"),
            List.of("io"),
            List.of("model"),
            List.of("tune"));

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

    /**
     * The packages whose public types are plumbing, not API (see their package-info), each with
     * the types of it that public signatures elsewhere may still mention.
     */
    private static final Map<String, Set<String>> NOT_API = Map.of(
            "dev.gradus.internal", Set.of(),
            "dev.gradus.kernel", Set.of("dev.gradus.kernel.Kernels"));

    /** The packages of core that may import the engine's kernels. */
    private static final List<String> ON_KERNELS = List.of("kernel", "nn", "train");

    @Test
    void noPublicSignatureOfAnApiPackageMentionsAnInternalType() {
        List<String> leaks = new ArrayList<>();
        for (JavaClass c : core) {
            if (notApi(c.getPackageName()) != null || !visible(c.getModifiers())
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
        for (String p : NOT_API.keySet()) {
            assertTrue(core.stream().anyMatch(c -> c.getPackageName().equals(p)), "no classes of " + p + " imported");
        }
        assertEquals(List.of(), leaks, "public API that exposes types of " + NOT_API.keySet()
                + " (keep them behind the API)");
    }

    @Test
    void onlyNnAndTrainImportTheKernels() {
        noClasses().that().resideOutsideOfPackages(packages(ON_KERNELS))
                .should().dependOnClassesThat().resideInAPackage("dev.gradus.kernel..")
                .because("the kernels are the engine under nn and train, not API").check(core);
    }

    /** The non-API package that {@code name} is (or lies in), or null. */
    private static String notApi(String name) {
        return NOT_API.keySet().stream().filter(p -> name.equals(p) || name.startsWith(p + ".")).findFirst()
                .orElse(null);
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static List<String> internal(String where, List<? extends JavaType> types) {
        List<String> found = new ArrayList<>();
        for (JavaType t : types) {
            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                String p = notApi(raw.getPackageName());
                if (p != null && !NOT_API.get(p).contains(raw.getName())) {
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
