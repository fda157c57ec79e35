package io.waveline.redfish;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.waveline.fleet.FleetInventory;
import io.waveline.sim.SimBmcs;
import io.waveline.ssh.JobStatus;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.upgrade.PackageManager;
import io.waveline.upgrade.Upgrader;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The {@code redfish} method: firmware through the node's BMC. The install is {@code UpdateService.SimpleUpdate}
 * with the plan's {@code imageUri} ({@code {component}} and {@code {version}} filled in) for each component, followed
 * through its tasks; the "reboot" is {@code ComputerSystem.Reset} ({@code GracefulRestart}) and the system's
 * {@code LastResetTime} stands for the boot id; the installed versions are read from the firmware inventory.
 * Components map to inventory ids by {@code waveline.redfish.inventory-ids}. The BMC is the node's {@code bmc}
 * label (https URL, or host[:port]); TLS is verified against {@code waveline.redfish.ca-file}, or not at all with
 * {@code waveline.redfish.verify-tls=false}, which is logged loudly. The simulated fleet's BMCs are used when
 * {@code waveline.sim.enabled}. A restart of Waveline during an update task forgets the task; the update is then
 * requested again (the BMC answers with a new task for the same image).
 */
@ApplicationScoped
public class RedfishUpgrader implements Upgrader {

    private static final Logger LOG = Logger.getLogger(RedfishUpgrader.class);

    @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @ConfigProperty(name = "waveline.redfish.user", defaultValue = "root")
    String user;

    @ConfigProperty(name = "waveline.redfish.password")
    Optional<String> password;

    @ConfigProperty(name = "waveline.redfish.ca-file")
    Optional<String> caFile;

    @ConfigProperty(name = "waveline.redfish.verify-tls", defaultValue = "true")
    boolean verifyTls;

    @ConfigProperty(name = "waveline.redfish.system-id", defaultValue = "1")
    String system;

    @ConfigProperty(name = "waveline.redfish.inventory-ids", defaultValue = "bmc-firmware=BMC,bios=BIOS,gpu-firmware=GPU_FW,nic-firmware=NIC_FW")
    String inventoryIds;

    @Inject
    Instance<SimBmcs> simBmcs;

    @Inject
    FleetInventory inventory;

    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, List<String>> tasks = new ConcurrentHashMap<>();

    @PostConstruct
    void mapIds() {
        for (String pair : inventoryIds.split(",")) {
            String[] kv = pair.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("waveline.redfish.inventory-ids: \"" + pair + "\" is not component=inventory-id");
            }
            ids.put(kv[0].trim(), kv[1].trim());
        }
        if (!verifyTls) {
            LOG.warn("waveline.redfish.verify-tls=false: BMC certificates are NOT verified; anyone on the path can read the BMC"
                    + " credentials and forge firmware answers. Set waveline.redfish.ca-file instead.");
        }
    }

    RedfishClient client(NodeAddress node) throws NodeUnreachableException {
        try {
            if (simulated) {
                SimBmcs bmcs = simBmcs.get();
                return new RedfishClient(URI.create("https://127.0.0.1:" + bmcs.bmc(node.name()).port()), SimBmcs.USER, SimBmcs.PASSWORD,
                        RedfishClient.trusting(bmcs.caPem()), Duration.ofSeconds(10));
            }
            String bmc = inventory.record(node.name()).map(r -> r.labels.get("bmc")).orElseThrow(() -> new NodeUnreachableException(
                    node.name() + " has no bmc label: the redfish method needs the BMC's address (label bmc=https://…)"));
            URI uri = URI.create(bmc.startsWith("https://") ? bmc : "https://" + bmc);
            return new RedfishClient(uri, user, password.orElse(""), tls(), Duration.ofSeconds(10));
        } catch (GeneralSecurityException | IOException e) {
            throw new NodeUnreachableException("cannot set up TLS for the BMC of " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private SSLContext tls() throws GeneralSecurityException, IOException {
        if (!verifyTls) {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        }
        if (caFile.isEmpty()) {
            throw new GeneralSecurityException("set waveline.redfish.ca-file to the BMCs' CA (PEM)");
        }
        return RedfishClient.trusting(Files.readString(Path.of(caFile.get())));
    }

    private static NodeUnreachableException unreachable(NodeAddress node, RedfishClient.RedfishException e) {
        return new NodeUnreachableException("BMC of " + node.name() + ": " + e.getMessage(), e);
    }

    @Override
    public String bootId(NodeAddress node) throws NodeUnreachableException {
        try {
            return client(node).lastReset(system);
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
    }

    @Override
    public Map<String, String> installedVersions(NodeAddress node, PackageManager manager) throws NodeUnreachableException {
        try {
            Map<String, String> versions = new LinkedHashMap<>();
            for (RedfishClient.Firmware firmware : client(node).firmwareInventory()) {
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
    public void startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions)
            throws NodeUnreachableException {
        throw new IllegalStateException("the redfish method needs the plan's method settings");
    }

    @Override
    public void startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions,
            Map<String, String> settings) throws NodeUnreachableException {
        String template = settings.get("imageUri");
        if (template == null) {
            throw new IllegalStateException("the redfish method needs the plan's method.imageUri");
        }
        RedfishClient client = client(node);
        List<String> started = new ArrayList<>();
        try {
            for (Map.Entry<String, String> wanted : versions.entrySet()) {
                String id = ids.get(wanted.getKey());
                if (id == null) {
                    throw new IllegalStateException("no Redfish inventory id for " + wanted.getKey() + " (waveline.redfish.inventory-ids)");
                }
                String image = template.replace("{component}", wanted.getKey()).replace("{version}", wanted.getValue());
                started.add(client.simpleUpdate(image, settings.getOrDefault("transferProtocol", "HTTPS"), List.of(id)));
            }
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
        tasks.put(jobId, started);
    }

    @Override
    public JobStatus job(NodeAddress node, String jobId, Map<String, String> versions) throws NodeUnreachableException {
        List<String> started = tasks.get(jobId);
        if (started == null) {
            return JobStatus.notFound();
        }
        RedfishClient client = client(node);
        try {
            for (String uri : started) {
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
    public void reboot(NodeAddress node) throws NodeUnreachableException {
        try {
            client(node).reset(system, "GracefulRestart");
        } catch (RedfishClient.RedfishException e) {
            throw unreachable(node, e);
        }
    }
}
