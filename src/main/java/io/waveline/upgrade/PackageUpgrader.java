package io.waveline.upgrade;

import java.time.Duration;
import java.util.Map;

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.JobStatus;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The {@code ssh} method: package commands ({@link PackageManager}, {@link PackageCommands}) run over a {@link RemoteShell}. */
@ApplicationScoped
public class PackageUpgrader implements Upgrader {

    private static final Duration QUICK = Duration.ofSeconds(30);

    @Inject
    RemoteShell shell;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.apt.install-template")
    java.util.Optional<String> aptTemplate;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.dnf.install-template")
    java.util.Optional<String> dnfTemplate;

    private final Map<PackageManager, String> templates = new java.util.EnumMap<>(PackageManager.class);

    @jakarta.annotation.PostConstruct
    void checkTemplates() {
        templates.put(PackageManager.APT, checked("waveline.ssh.apt.install-template", aptTemplate, PackageManager.APT));
        templates.put(PackageManager.DNF, checked("waveline.ssh.dnf.install-template", dnfTemplate, PackageManager.DNF));
    }

    private static String checked(String property, java.util.Optional<String> template, PackageManager manager) {
        String value = template.orElse(manager.defaultTemplate());
        PackageManager.templateProblem(value).ifPresent(problem -> {
            throw new IllegalArgumentException(property + " \"" + value + "\": " + problem);
        });
        return value;
    }

    @Override
    public String bootId(NodeAddress node) throws NodeUnreachableException {
        return expectOk(node, PackageCommands.bootId()).output().trim();
    }

    @Override
    public Map<String, String> installedVersions(NodeAddress node, PackageManager manager) throws NodeUnreachableException {
        return manager.parseInstalled(shell.run(node, manager.installedQuery(), QUICK).output());
    }

    @Override
    public void startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions)
            throws NodeUnreachableException {
        expectOk(node, PackageCommands.install(templates.get(manager), manager, jobId, versions));
    }

    @Override
    public JobStatus job(NodeAddress node, String jobId, Map<String, String> versions) throws NodeUnreachableException {
        return PackageCommands.parseJobStatus(shell.run(node, PackageCommands.jobStatus(jobId), QUICK).output());
    }

    @Override
    public void reboot(NodeAddress node) throws NodeUnreachableException {
        shell.run(node, PackageCommands.reboot(), QUICK);
    }

    private CommandResult expectOk(NodeAddress node, String command) throws NodeUnreachableException {
        CommandResult result = shell.run(node, command, QUICK);
        if (!result.ok()) {
            throw new NodeUnreachableException("command failed on " + node.name() + " (exit " + result.exitStatus()
                    + "): " + result.output().trim());
        }
        return result;
    }
}
