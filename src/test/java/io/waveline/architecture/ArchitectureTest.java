package io.waveline.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.INTERFACES;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Set;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import io.waveline.rollout.NodeEffects;
import io.waveline.rollout.NodePipeline;
import io.waveline.rollout.NodeStepper;
import io.waveline.rollout.RolloutDecider;
import io.waveline.rollout.RolloutEngine;
import io.waveline.rollout.RolloutStore;
import io.waveline.rollout.WaveChecker;

/**
 * The architecture in code (docs/architecture.md): dependencies point inward, from the adapters to the core's
 * ports; the simulator is outside production wiring.
 */
@AnalyzeClasses(packages = "io.waveline", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Packages named for a technology, or the outside world. */
    private static final String[] ADAPTERS = { "io.waveline.ssh..", "io.waveline.kubernetes..", "io.waveline.slurm..",
            "io.waveline.redfish..", "io.waveline.upgrade..", "io.waveline.health..", "io.waveline.sim..", "io.waveline.api..",
            "io.waveline.chatops..", "io.waveline.notify..", "io.waveline.ui..", "io.waveline.cli.." };

    @ArchTest
    static final ArchRule thePlanModelImportsNothingOfOurs = noClasses().that().resideInAPackage("io.waveline.plan..")
            .should().dependOnClassesThat(resideInAPackage("io.waveline..").and(not(resideInAPackage("io.waveline.plan.."))))
            .because("the plan is the user's language: records, reading and validation only");

    @ArchTest
    static final ArchRule theEngineAndTheNodePipelineImportNoAdapter = noClasses().that().resideInAPackage("io.waveline.rollout..")
            .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
            .because("the core owns its ports; adapters implement them");

    @ArchTest
    static final ArchRule nothingOutsideTheSimulatorImportsIt = noClasses().that().resideOutsideOfPackage("io.waveline.sim..")
            .should().dependOnClassesThat().resideInAPackage("io.waveline.sim..")
            .because("the simulator is the world: it supplies alternative adapters, production never names it");

    @ArchTest
    static final ArchRule theSimulatorStandsOnThePortsOnly = noClasses().that().resideInAPackage("io.waveline.sim..")
            .should().dependOnClassesThat(resideInAnyPackage("io.waveline.ssh..", "io.waveline.kubernetes..", "io.waveline.slurm..",
                    "io.waveline.redfish..", "io.waveline.upgrade..", "io.waveline.health..", "io.waveline.api..", "io.waveline.chatops..",
                    "io.waveline.notify..").or(resideInAPackage("io.waveline.rollout")))
            .because("the simulated world is reached through the same ports as the real one (SSH and HTTPS servers, BMCs, an"
                    + " inventory), never by calling into the engine or an adapter");

    @ArchTest
    static final ArchRule noProductionClassReadsASimulatorSetting = fields().that().areAnnotatedWith(ConfigProperty.class)
            .and().areDeclaredInClassesThat().resideOutsideOfPackage("io.waveline.sim..")
            .should(new ArchCondition<JavaField>("not read a waveline.sim.* setting") {
                @Override
                public void check(JavaField field, ConditionEvents events) {
                    String name = field.getAnnotationOfType(ConfigProperty.class).name();
                    events.add(new SimpleConditionEvent(field, !name.startsWith("waveline.sim."), field.getFullName() + " reads " + name));
                }
            });

    @ArchTest
    static final ArchRule apiAndChatReachTheCoreOnlyThroughItsServices = noClasses()
            .that().resideInAnyPackage("io.waveline.api..", "io.waveline.chatops..", "io.waveline.ui..")
            .should().dependOnClassesThat(belongToAnyOf(RolloutEngine.class, RolloutStore.class, NodeStepper.class, NodePipeline.class,
                    NodeEffects.class, WaveChecker.class, RolloutDecider.class)
                    .or(resideInAnyPackage("io.waveline.ssh..", "io.waveline.kubernetes..", "io.waveline.slurm..", "io.waveline.redfish..",
                            "io.waveline.upgrade..", "io.waveline.health..", "io.waveline.sim.."))
                    .or(resideInAPackage("io.waveline.rollout.port..").and(INTERFACES)))
            .because("REST, chat and the dashboard give commands and read rollouts; the engine, its ports and the adapters are not"
                    + " theirs to call");

    /** The classes of ours that {@code target/waveline-cli.jar} packs (pom.xml, the shade plugin's filter). */
    private static final Set<String> CLI_FLEET_PARSERS = Set.of("StaticInventoryFile", "AnsibleInventory", "AnsibleIniInventory",
            "AnsibleYamlInventory", "InventoryException", "FleetNode", "NodeDraft", "NodeFields");

    @ArchTest
    static final ArchRule theCliRunsWithoutTheService = classes().that().resideInAPackage("io.waveline.cli..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.waveline..").or(resideInAnyPackage("io.waveline.cli..",
                    "io.waveline.plan..")).or(new com.tngtech.archunit.base.DescribedPredicate<JavaClass>("an inventory parser") {
                        @Override
                        public boolean test(JavaClass c) {
                            return c.getPackageName().equals("io.waveline.fleet")
                                    && CLI_FLEET_PARSERS.contains(c.getSimpleName().replaceAll("\\$.*", ""));
                        }
                    }))
            .because("the CLI's jar holds the plan model and the inventory parsers only: it checks plans offline, and talks to a"
                    + " server over REST");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.waveline.(*)..").should().beFreeOfCycles();
}
