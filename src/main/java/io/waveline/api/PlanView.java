package io.waveline.api;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.waveline.plan.CheckSpec;
import io.waveline.plan.ComponentTarget;
import io.waveline.plan.Durations;
import io.waveline.plan.LabelSelector;
import io.waveline.plan.MaintenanceWindow;
import io.waveline.plan.RolloutPlan;
import io.waveline.plan.WaveSpec;

/** A validated plan as JSON, with defaults filled in and durations in plan form ({@code 30m}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanView(String name, String description, Target target, Method method, List<Wave> waves,
        Limits limits, Drain drain, List<Check> checks, FailurePolicy failurePolicy, Estimates estimates,
        boolean twoPersonApproval) {

    public record Target(String selector, List<String> nodes, List<String> excludeNodes, String excludeSelector,
            Map<String, String> components) {
    }

    public record Method(String type, Map<String, String> settings) {
    }

    public record Wave(String name, String size, String soak, boolean approvalRequired, Integer maxParallel) {
    }

    public record Limits(String maxUnavailable, List<Map<String, Object>> failureDomains,
            List<Window> maintenanceWindows) {
    }

    public record Window(List<String> days, String start, String end, String timeZone) {
    }

    public record Drain(boolean enabled, String timeout, String gracePeriod, String podSelector,
            boolean deleteEmptyDir, boolean force, WaitForJobs waitForJobs) {
    }

    public record WaitForJobs(String podSelector, String timeout, String onTimeout) {
    }

    public record Check(String name, Map<String, Object> parameters, String timeout, List<String> waves) {
    }

    public record FailurePolicy(String maxFailuresPerWave, String onFailure, boolean quarantineHardwareFaults,
            int hardwareSignatureLimit) {
    }

    public record Estimates(String drain, String upgrade, String reboot, String validation, String perNode,
            BigDecimal gpuHourUsd) {
    }

    public static PlanView of(RolloutPlan plan) {
        Map<String, String> components = new LinkedHashMap<>();
        plan.target().components().forEach((ComponentTarget c) -> components.put(c.component(), c.version()));
        Target target = new Target(text(plan.target().selector().orElse(null)), plan.target().nodes(),
                plan.target().excludeNodes(), text(plan.target().excludeSelector().orElse(null)), components);
        List<Wave> waves = plan.waves().stream().map((WaveSpec w) -> new Wave(w.name(), w.size().toString(),
                Durations.format(w.soak()), w.approvalRequired(), w.maxParallel().orElse(null))).toList();
        Limits limits = new Limits(plan.limits().maxUnavailable().toString(),
                plan.limits().failureDomains().stream().map(d -> Map.<String, Object>of("labelKey", d.labelKey(),
                        "maxUnavailable", d.maxUnavailable())).toList(),
                plan.limits().maintenanceWindows().stream().map(PlanView::window).toList());
        io.waveline.plan.DrainSettings d = plan.drain();
        Drain drain = new Drain(d.enabled(), Durations.format(d.timeout()), Durations.format(d.gracePeriod()),
                text(d.podSelector().orElse(null)), d.deleteEmptyDir(), d.force(),
                d.waitForJobs().map(w -> new WaitForJobs(w.podSelector().text(), Durations.format(w.timeout()),
                        w.onTimeout().word())).orElse(null));
        List<Check> checks = plan.checks().stream().map((CheckSpec c) -> new Check(c.name(), c.parameters(),
                Durations.format(c.timeout()), c.waves())).toList();
        io.waveline.plan.FailurePolicy f = plan.failurePolicy();
        FailurePolicy policy = new FailurePolicy(f.failuresAllowedPerWave().toString(), f.onFailure().word(),
                f.quarantineHardwareFaults(), f.hardwareSignatureLimit());
        io.waveline.plan.Estimates e = plan.estimates();
        Estimates estimates = new Estimates(Durations.format(e.drain()), Durations.format(e.upgrade()),
                Durations.format(e.reboot()), Durations.format(e.validation()), Durations.format(e.perNode()),
                e.gpuHourUsd());
        return new PlanView(plan.name(), plan.description(), target,
                new Method(plan.method().type().word(), plan.method().settings()), waves, limits, drain, checks,
                policy, estimates, plan.twoPersonApproval());
    }

    private static Window window(MaintenanceWindow w) {
        return new Window(w.days().stream().sorted().map(day -> day.name().substring(0, 3).toLowerCase()).toList(),
                w.start().toString(), w.end().toString(), w.zone().getId());
    }

    private static String text(LabelSelector selector) {
        return selector == null ? null : selector.text();
    }
}
