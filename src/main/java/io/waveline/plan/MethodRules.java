package io.waveline.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.waveline.plan.MethodSpec.Method;

/**
 * Which method moves which components, and the settings that go together: checked with the plan, so that
 * validate, preview and start always agree. Each refusal points at the field to change (a component the method does
 * not move: at that component's line).
 * <ul>
 * <li>{@code redfish} moves BMC firmware only (bmc-firmware, bios, gpu-firmware, nic-firmware), from exactly one of
 * {@code imageUri} and {@code imageFile}; a {@code credentialsRef} is a lower-case name;</li>
 * <li>{@code ssh} with {@code firmwareImage} moves host-tool firmware only (gpu-firmware, nvswitch-firmware,
 * nic-firmware); otherwise {@code ssh} and {@code ansible} install nvidia-driver and nvidia-fabricmanager;</li>
 * <li>{@code gpu-operator} moves nvidia-driver only (the operator manages Fabric Manager), in {@code mode:
 * nvidiadriver}.</li>
 * </ul>
 */
final class MethodRules {

    private MethodRules() {
    }

    /** {@code components}: each component the plan moves, with where it stands in the file. */
    static void check(MethodSpec method, Map<String, YamlMapping.Scalar> written, String plan, Problems problems) {
        Map<String, YamlMapping.Scalar> components = new java.util.TreeMap<>(written);
        components.keySet().retainAll(Components.ALL);
        MethodSettings settings = method.typed();
        String type = "spec.method.type";
        switch (method.type()) {
            case REDFISH -> {
                outside(components, Components.BMC_FIRMWARE, problems, c -> "the redfish method moves firmware (bmc-firmware, bios,"
                        + " gpu-firmware, nic-firmware) only; plan " + plan + " also moves " + c);
                if (settings.imageUri().isPresent() == settings.imageFile().isPresent()) {
                    boolean both = settings.imageUri().isPresent();
                    problems.error(method.position(both ? "imageFile" : "type"), both ? "spec.method.imageFile" : type,
                            "the redfish method needs one of method.imageUri (the BMC fetches the image, e.g."
                                    + " https://images.example/{component}-{version}.bin) or method.imageFile (Waveline pushes it,"
                                    + " e.g. /srv/firmware/{component}-{version}.bin)" + (both ? ", not both: remove one" : ""));
                }
                settings.credentialsRef().filter(ref -> !Components.NAME.matcher(ref).matches()).ifPresent(ref -> problems.error(
                        method.position("credentialsRef"), "spec.method.credentialsRef", "\"" + ref
                                + "\" must be lower-case letters, digits and -, as in lab-bmc"));
            }
            case GPU_OPERATOR -> {
                outside(components, Set.of(Components.DRIVER), problems, c -> "the gpu-operator method moves nvidia-driver only (the"
                        + " operator manages Fabric Manager with it); plan " + plan + " also moves " + c);
                if (settings.mode().filter("clusterpolicy"::equals).isPresent()) {
                    problems.error(method.position("mode"), "spec.method.mode", "the gpu-operator method runs mode: nvidiadriver"
                            + " only (one NVIDIADriver per version, nodes moved by label); mode: clusterpolicy (one driver for the"
                            + " whole cluster, the operator's own upgrade controller) is not supported: remove mode or set it to"
                            + " nvidiadriver");
                }
            }
            case SSH, ANSIBLE -> {
                if (settings.hostToolFirmware()) {
                    outside(components, Components.HOST_TOOL_FIRMWARE, problems, c -> "with method.firmwareImage the ssh method moves"
                            + " firmware through host tools only (gpu-firmware, nvswitch-firmware: nvfwupd; nic-firmware:"
                            + " mlxfwmanager); plan " + plan + " also moves " + c + ": roll drivers out in a plan of their own");
                } else {
                    String word = method.type().word();
                    components.forEach((component, scalar) -> {
                        if (!Components.PACKAGES.contains(component)) {
                            problems.error(scalar.position(), scalar.path(), "the " + word + " method installs nvidia-driver and"
                                    + " nvidia-fabricmanager only; plan " + plan + " also moves " + component + (Components.HOST_TOOL_FIRMWARE.contains(component)
                                            || Components.BMC_FIRMWARE.contains(component)
                                                    ? "; firmware goes through host tools with method.firmwareImage (type ssh), or"
                                                            + " through the BMC with method type redfish"
                                                    : ""));
                        }
                    });
                }
            }
            default -> {
            }
        }
    }

    /** The nodes a gpu-operator plan would touch outside Kubernetes: refused, since the operator cannot reach them. */
    static List<PlanError> kubernetesOnly(String file, MethodSpec method, WavePlan plan) {
        if (method.type() != Method.GPU_OPERATOR) {
            return List.of();
        }
        List<String> bare = plan.waves().stream().flatMap(w -> w.nodes().stream()).filter(n -> !n.inKubernetes())
                .map(NodeFacts::name).toList();
        if (bare.isEmpty()) {
            return List.of();
        }
        SourcePosition at = method.position("type");
        return List.of(new PlanError(file, at.line(), at.column(), "spec.method.type", "the gpu-operator method needs Kubernetes"
                + " nodes (waveline.kubernetes.enabled); not in the cluster: " + String.join(", ", bare.subList(0, Math.min(5, bare.size())))
                + (bare.size() > 5 ? " and " + (bare.size() - 5) + " more" : "") + "; use method type ssh or ansible for them"));
    }

    /** A plan's {@code credentialsRef} that names no credentials Waveline has. */
    static List<PlanError> credentials(String file, MethodSpec method, CredentialsCheck check) {
        return method.typed().credentialsRef().flatMap(check::problem).map(problem -> {
            SourcePosition at = method.position("credentialsRef");
            return List.of(new PlanError(file, at.line(), at.column(), "spec.method.credentialsRef", problem));
        }).orElse(List.of());
    }

    private static void outside(Map<String, YamlMapping.Scalar> components, Set<String> allowed, Problems problems,
            java.util.function.Function<String, String> why) {
        components.forEach((component, scalar) -> {
            if (!allowed.contains(component)) {
                problems.error(scalar.position(), scalar.path(), why.apply(component));
            }
        });
    }
}
