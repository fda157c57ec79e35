package io.waveline.redfish;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.waveline.plan.Durations;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import io.waveline.rollout.port.BmcLocator;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.Selectable;
import io.waveline.rollout.port.Upgrader;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The {@code redfish} method: firmware through the node's BMC. The install is {@code UpdateService.SimpleUpdate}
 * with the plan's {@code imageUri} ({@code {component}} and {@code {version}} filled in), or a multipart push of the
 * plan's {@code imageFile} from Waveline's host, for each component; the update tasks' URIs are the install's handle,
 * stored with the node run, so a restarted Waveline follows the same tasks. BMC firmware needs no host reset: the BMC
 * restarts itself to activate it ({@code waveline.redfish.self-activating-components}). The reset is {@code ComputerSystem.Reset}:
 * {@code PowerCycle} when a component needs one ({@code waveline.redfish.power-cycle-components}), otherwise
 * {@code GracefulRestart} and, when the host has not come back with a new boot id (over SSH) within the plan's
 * {@code forceResetAfter}, {@code ForceRestart}. The installed versions are read from the firmware inventory; components map to inventory ids
 * by {@code waveline.redfish.inventory-ids}. The BMC is the node's {@code bmc} label (https URL, or host[:port]);
 * credentials are {@code waveline.redfish.user}/{@code password}, or those named by the plan's {@code credentialsRef}
 * ({@code waveline.redfish.credentials.<ref>.user}/{@code password}); TLS is verified against
 * {@code waveline.redfish.ca-file}, or not at all with {@code verify-tls=false} (config or plan), which is logged
 * loudly. Where a node's BMC is comes from the active {@link BmcLocator}.
 */
@ApplicationScoped
public class RedfishUpgrader implements Upgrader {

    private static final Logger LOG = Logger.getLogger(RedfishUpgrader.class);

    @ConfigProperty(name = "waveline.redfish.user", defaultValue = "root")
    String user;

    @ConfigProperty(name = "waveline.redfish.password")
    Optional<String> password;

    @ConfigProperty(name = "waveline.redfish.verify-tls", defaultValue = "true")
    boolean verifyTls;

    @ConfigProperty(name = "waveline.redfish.system-id", defaultValue = "1")
    String system;

    @ConfigProperty(name = "waveline.redfish.inventory-ids", defaultValue = "bmc-firmware=BMC,bios=BIOS,gpu-firmware=GPU_FW,nic-firmware=NIC_FW")
    String inventoryIds;

    @ConfigProperty(name = "waveline.redfish.power-cycle-components", defaultValue = "gpu-firmware,nic-firmware")
    List<String> powerCycleComponents;

    @ConfigProperty(name = "waveline.redfish.self-activating-components", defaultValue = "bmc-firmware")
    List<String> selfActivating;

    @ConfigProperty(name = "waveline.redfish.force-reset-after", defaultValue = "10m")
    String forceResetAfter;

    @ConfigProperty(name = "waveline.redfish.bmc-return-timeout", defaultValue = "10m")
    Duration bmcReturnTimeout;

    @Inject
    @jakarta.enterprise.inject.Any
    Instance<BmcLocator> locators;

    @Inject
    RedfishCredentials accounts;

    /** The host side over SSH (boot id), as for the ssh method. */
    @Inject
    io.waveline.upgrade.PackageUpgrader host;

    private final Map<String, String> ids = new LinkedHashMap<>();
    private final java.util.Set<String> warnedInsecure = ConcurrentHashMap.newKeySet();

    /** User and password for a BMC. */
    record Credentials(String user, String password) {
    }

    private BmcLocator locator;

    @PostConstruct
    void mapIds() {
        locator = Selectable.pick(locators, "the BMC locator");
        for (String pair : inventoryIds.split(",")) {
            String[] kv = pair.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("waveline.redfish.inventory-ids: \"" + pair + "\" is not component=inventory-id");
            }
            ids.put(kv[0].trim(), kv[1].trim());
        }
        if (Durations.parse(forceResetAfter).isEmpty()) {
            throw new IllegalArgumentException("waveline.redfish.force-reset-after: \"" + forceResetAfter + "\" is not a duration; "
                    + Durations.HINT);
        }
        if (!verifyTls) {
            LOG.warn("waveline.redfish.verify-tls=false: BMC certificates are NOT verified; anyone on the path can read the BMC"
                    + " credentials and forge firmware answers. Set waveline.redfish.ca-file instead.");
        }
    }

    Credentials credentials(MethodSettings settings, BmcLocator.Bmc bmc) throws NodeUnreachableException {
        if (settings.credentialsRef().isEmpty()) {
            return bmc.account().map(a -> new Credentials(a.user(), a.password())).orElseGet(() -> new Credentials(user, password.orElse("")));
        }
        String ref = settings.credentialsRef().get();
        Optional<String> problem = accounts.problem(ref);
        if (problem.isPresent()) {
            throw new NodeUnreachableException(problem.get());
        }
        org.eclipse.microprofile.config.Config config = ConfigProvider.getConfig();
        return new Credentials(config.getOptionalValue("waveline.redfish.credentials." + ref + ".user", String.class).orElse(user),
                config.getValue(RedfishCredentials.passwordKey(ref), String.class));
    }

    RedfishClient client(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        BmcLocator.Bmc bmc = locator.locate(node.name());
        Credentials credentials = credentials(settings, bmc);
        boolean verify = settings.verifyTls().orElse(verifyTls);
        if (!verify && settings.verifyTls().isPresent() && warnedInsecure.add(node.name())) {
            LOG.warnf("the plan says verifyTls: false: the certificate of %s's BMC is NOT verified; its credentials and firmware"
                    + " answers can be read and forged on the path", node.name());
        }
        try {
            if (verify && bmc.caPem().isEmpty()) {
                throw new GeneralSecurityException("set waveline.redfish.ca-file to the BMCs' CA (PEM)");
            }
            return new RedfishClient(bmc.uri(), credentials.user(), credentials.password(),
                    verify ? RedfishClient.trusting(bmc.caPem().get()) : RedfishClient.trustingAnything(), Duration.ofSeconds(10));
        } catch (GeneralSecurityException | IOException e) {
            throw new NodeUnreachableException("cannot set up TLS for the BMC of " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private static NodeUnreachableException unreachable(NodeAddress node, RedfishClient.RedfishException e) {
        return new NodeUnreachableException("BMC of " + node.name() + ": " + e.getMessage(), e);
    }

    /**
     * The host's own boot id, over SSH: a reset through the BMC counts once the host has booted again and answers
     * (the BMC's {@code LastResetTime} changes when the reset starts, minutes before the host is back).
     */
    @Override
    public Method method() {
        return Method.REDFISH;
    }

    /** The BMC's firmware inventory shows the wanted versions after the reset. */
    @Override
    public Optional<CheckOutcome> verify(NodeAddress node, Map<String, String> wanted, MethodSettings settings)
            throws NodeUnreachableException {
        return Optional.of(io.waveline.health.FirmwareVersionCheck.readBack(wanted, installedVersions(node, settings), "BMC reports "));
    }

    @Override
    public String bootId(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        return host.bootId(node);
    }

    /** The firmware inventory's versions of the components Waveline knows, with the plan's credentials and TLS. */
    @Override
    public Map<String, String> installedVersions(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        try {
            Map<String, String> versions = new LinkedHashMap<>();
            for (RedfishClient.Firmware firmware : client(node, settings).firmwareInventory()) {
                ids.forEach((component, id) -> {
                    if (id.equals(firmware.id())) {
                        versions.put(component, firmware.version());
                    }
                });
            }
            return versions;
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
    }

    @Override
    public String startInstall(NodeAddress node, String jobId, Map<String, String> versions, MethodSettings settings)
            throws NodeUnreachableException {
        String uriTemplate = settings.imageUri().orElse(null);
        String fileTemplate = settings.imageFile().orElse(null);
        if (uriTemplate == null && fileTemplate == null) {
            throw new IllegalStateException("the redfish method needs the plan's method.imageUri or method.imageFile");
        }
        RedfishClient client = client(node, settings);
        List<String> started = new ArrayList<>();
        try {
            for (Map.Entry<String, String> wanted : versions.entrySet()) {
                String id = ids.get(wanted.getKey());
                if (id == null) {
                    throw new IllegalStateException("no Redfish inventory id for " + wanted.getKey() + " (waveline.redfish.inventory-ids)");
                }
                if (fileTemplate != null) {
                    Path image = Path.of(fill(fileTemplate, wanted.getKey(), wanted.getValue()));
                    if (!Files.isReadable(image)) {
                        throw new NodeUnreachableException("the firmware image " + image + " (method.imageFile) is not readable on the"
                                + " Waveline host");
                    }
                    started.add(client.multipartPush(image, List.of(id)));
                } else {
                    String image = fill(uriTemplate, wanted.getKey(), wanted.getValue());
                    Optional<String> earlier = client.taskFor(image);
                    if (earlier.isPresent()) {
                        LOG.infof("%s: following update task %s for %s, requested before Waveline restarted", node.name(), earlier.get(), image);
                        started.add(earlier.get());
                    } else {
                        started.add(client.simpleUpdate(image, settings.transferProtocol().orElse("HTTPS"), List.of(id)));
                    }
                }
            }
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
        return String.join(" ", started);
    }

    private static String fill(String template, String component, String version) {
        return template.replace("{component}", component).replace("{version}", version);
    }

    /** The handle is the update tasks' URIs, space-separated; each is followed until it is done. */
    @Override
    public JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings settings)
            throws NodeUnreachableException {
        if (handle == null || handle.isBlank()) {
            return JobStatus.notFound();
        }
        RedfishClient client = client(node, settings);
        try {
            for (String uri : handle.split(" ")) {
                RedfishClient.Task task = client.task(uri);
                if (!task.done()) {
                    return JobStatus.running();
                }
                if (!task.succeeded()) {
                    return new JobStatus(JobStatus.State.DONE, 1, "BMC update task " + uri.substring(uri.lastIndexOf('/') + 1) + " ended "
                            + task.state() + ": " + String.join("; ", task.messages()));
                }
            }
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
        return new JobStatus(JobStatus.State.DONE, 0, "update tasks completed");
    }

    @Override
    public List<Reset> resets(Map<String, String> versions, MethodSettings settings, Duration rebootTimeout) {
        if (selfActivating.containsAll(versions.keySet())) {
            return List.of();
        }
        List<String> cycled = versions.keySet().stream().filter(powerCycleComponents::contains).sorted().toList();
        if (!cycled.isEmpty()) {
            return List.of(new Reset("PowerCycle", "power cycle through the BMC (" + String.join(", ", cycled)
                    + " needs one to activate)", rebootTimeout));
        }
        Duration graceful = settings.forceResetAfter().or(() -> Durations.parse(forceResetAfter)).orElse(Duration.ofMinutes(10));
        return List.of(new Reset("GracefulRestart", "graceful restart through the BMC to activate the firmware", graceful),
                new Reset("ForceRestart", "forced restart through the BMC", rebootTimeout));
    }

    /** A BMC restarts to activate its own firmware, during the update task or after the reset: minutes without an answer. */
    @Override
    public Duration awayAllowance(MethodSettings settings) {
        return bmcReturnTimeout;
    }

    @Override
    public void reset(NodeAddress node, Reset reset, MethodSettings settings) throws NodeUnreachableException {
        RedfishClient client = client(node, settings);
        try {
            List<String> offered = client.resetTypes(system);
            String type = reset.type();
            if (offered.isEmpty() || offered.contains(type)) {
                client.reset(system, type);
            } else if (type.equals("PowerCycle") && offered.contains("ForceOff") && offered.contains("On")) {
                LOG.infof("the BMC of %s offers no PowerCycle: ForceOff, then On", node.name());
                client.reset(system, "ForceOff");
                client.reset(system, "On");
            } else if (type.equals("GracefulRestart") && offered.contains("ForceRestart")) {
                LOG.warnf("the BMC of %s offers no GracefulRestart: ForceRestart at once", node.name());
                client.reset(system, "ForceRestart");
            } else {
                throw new NodeUnreachableException("the BMC of " + node.name() + " does not offer the reset " + type + " (it offers "
                        + String.join(", ", offered) + ")");
            }
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
    }
}
