package io.waveline.chatops;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.waveline.api.PlanReports;
import io.waveline.api.Role;
import io.waveline.fleet.FleetInventory;
import io.waveline.plan.PlanDirectory;
import io.waveline.rollout.NodeRun;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutCommands;
import io.waveline.rollout.RolloutConflict;
import io.waveline.rollout.RolloutEvent;
import io.waveline.rollout.RolloutForbidden;
import io.waveline.rollout.RolloutNotFound;
import io.waveline.rollout.RolloutState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

/**
 * Carries out a chat command for a known chat user with the same services as the REST API and the same roles:
 * help, plans, preview and status need viewer; start, pause, resume, abort and rollback operator; approve approver
 * (and the plan's two-person rule). Every command that names a rollout is recorded as a {@code chat.command} event
 * whose actor is the user's Waveline name; state changes are recorded by the commands themselves with that actor.
 * Refusals and conflicts come back as text, never as an exception. A command runs on a chat platform's own worker
 * (Slack's answer may come later on {@code response_url}), so it activates its own request context for the database.
 */
@ApplicationScoped
public class ChatCommandHandler {

    private static final Logger LOG = Logger.getLogger(ChatCommandHandler.class);

    @ConfigProperty(name = "waveline.plans-dir")
    String plansDir;

    @Inject
    PlanReports reports;

    @Inject
    FleetInventory inventory;

    @Inject
    RolloutCommands commands;

    @Inject
    ChatOpsClock clock;

    /**
     * @param idempotencyKey the platform's id of this invocation (Slack {@code trigger_id}), so a redelivered start
     *            does not start twice
     */
    @ActivateRequestContext
    public ChatReply handle(ChatCommand command, ChatUser user, String where, Optional<String> idempotencyKey) {
        Role needed = needed(command);
        if (!user.role().includes(needed)) {
            return ChatReply.toCaller("Sorry " + user.name() + ", you are " + user.role().name().toLowerCase()
                    + " in Waveline; this needs " + needed.name().toLowerCase() + ".");
        }
        LOG.infof("chat command from %s (%s %s) in %s: %s", user.name(), user.platform(), user.chatId(), where, command);
        try {
            if (command instanceof ChatCommand.Usage u) {
                return ChatReply.toCaller(u.problem() + ".\n" + ChatCommand.USAGE);
            } else if (command instanceof ChatCommand.Plans) {
                return plans();
            } else if (command instanceof ChatCommand.Preview p) {
                return preview(p.plan());
            } else if (command instanceof ChatCommand.Start s) {
                return start(s.plan(), user, where, idempotencyKey);
            } else if (command instanceof ChatCommand.Status s) {
                return s.rollout() == 0 ? unfinished() : status(s.rollout(), user, where);
            } else if (command instanceof ChatCommand.Act a) {
                return act(a, user, where);
            } else if (command instanceof ChatCommand.ApproveRequest a) {
                return act(new ChatCommand.Act(ChatCommand.Verb.APPROVE, a.rollout()), OptionalLong.of(a.request()), user, where);
            }
            return ChatReply.toCaller("Waveline commands:\n" + ChatCommand.USAGE);
        } catch (RolloutConflict | RolloutForbidden e) {
            if (command instanceof ChatCommand.Act a) {
                audit(a.rollout(), user, where, a.verb().word() + " " + a.rollout() + " (refused: " + e.getMessage() + ")");
            } else if (command instanceof ChatCommand.ApproveRequest a) {
                audit(a.rollout(), user, where, "approve " + a.rollout() + " (refused: " + e.getMessage() + ")");
            }
            return ChatReply.toCaller("Not done: " + e.getMessage() + ".");
        } catch (RolloutNotFound e) {
            return ChatReply.toCaller("Not done: " + e.getMessage() + ".");
        } catch (RolloutCommands.InvalidPlan e) {
            return ChatReply.toCaller("The plan is not valid: " + e.errors().stream().limit(3).map(Object::toString)
                    .collect(Collectors.joining("; ")) + (e.errors().size() > 3 ? "; …" : ""));
        }
    }

    static Role needed(ChatCommand command) {
        if (command instanceof ChatCommand.Start) {
            return Role.OPERATOR;
        }
        if (command instanceof ChatCommand.Act a) {
            return a.verb() == ChatCommand.Verb.APPROVE ? Role.APPROVER : Role.OPERATOR;
        }
        if (command instanceof ChatCommand.ApproveRequest) {
            return Role.APPROVER;
        }
        return Role.VIEWER;
    }

    private PlanDirectory directory() {
        return new PlanDirectory(Path.of(plansDir));
    }

    private ChatReply plans() {
        List<String> lines = directory().list().stream().map(file -> reports.report(file, null))
                .map(r -> "• " + r.name() + (r.valid() ? " — valid" + (r.preview() == null ? "" : ", "
                        + r.preview().nodesToUpgrade() + " node(s), about " + r.preview().estimatedDuration())
                        : " — invalid (" + r.errors().size() + " error(s))")).toList();
        return ChatReply.toCaller(lines.isEmpty() ? "No plans in " + plansDir + "." : "Plans:\n" + String.join("\n", lines));
    }

    private ChatReply preview(String name) {
        Optional<PlanDirectory.PlanFile> file = directory().find(name);
        if (file.isEmpty()) {
            return ChatReply.toCaller("No plan named " + name + "; /waveline plans lists them.");
        }
        PlanReports.PlanReport report = reports.report(file.get(), null);
        if (!report.valid()) {
            return ChatReply.toCaller("Plan " + name + " is not valid: " + report.errors().stream().limit(3)
                    .map(e -> e.line() + ":" + e.column() + " " + e.path() + ": " + e.message()).collect(Collectors.joining("; ")));
        }
        var p = report.preview();
        String waves = p.waves().stream().map(w -> w.name() + " " + w.nodes().size() + " node(s)"
                + (w.approvalRequired() ? " (approval)" : "")).collect(Collectors.joining(", "));
        return ChatReply.toCaller("Plan " + name + ": " + p.nodesToUpgrade() + " node(s) in " + p.waves().size() + " wave(s) — "
                + waves + "; about " + p.estimatedDuration() + ", at most " + p.peakNodesOut() + " node(s) out at once.");
    }

    private ChatReply start(String name, ChatUser user, String where, Optional<String> idempotencyKey) {
        Optional<PlanDirectory.PlanFile> file = directory().find(name);
        if (file.isEmpty()) {
            return ChatReply.toCaller("No plan named " + name + "; /waveline plans lists them.");
        }
        RolloutCommands.Started started = commands.start(file.get().name(), file.get().text(), inventory.nodes(), user.name(),
                idempotencyKey);
        Rollout rollout = started.rollout();
        audit(rollout.id, user, where, "start " + name);
        return ChatReply.toChannel((started.created() ? "Rollout " + rollout.id + " of plan " + name + " started by "
                : "Rollout " + rollout.id + " of plan " + name + " was already started by ") + rollout.startedBy
                + (rollout.state == RolloutState.WAITING_APPROVAL ? "; its first wave waits for approval (/waveline approve "
                        + rollout.id + ")" : "") + ".");
    }

    private ChatReply act(ChatCommand.Act act, ChatUser user, String where) {
        return act(act, OptionalLong.empty(), user, where);
    }

    /** {@code request}: for a button, the approval request it answers. */
    private ChatReply act(ChatCommand.Act act, OptionalLong request, ChatUser user, String where) {
        Rollout rollout = switch (act.verb()) {
            case PAUSE -> commands.pause(act.rollout(), user.name());
            case RESUME -> commands.resume(act.rollout(), user.name());
            case ABORT -> commands.abort(act.rollout(), user.name());
            case APPROVE -> commands.approve(act.rollout(), user.name(), user.role().includes(Role.APPROVER), request);
            case ROLLBACK -> commands.rollback(act.rollout(), user.name());
        };
        audit(rollout.id, user, where, act.verb().word() + " " + act.rollout());
        String done = switch (act.verb()) {
            case PAUSE -> "paused";
            case RESUME -> "resumed";
            case ABORT -> "aborting (started nodes finish)";
            case APPROVE -> "wave " + (rollout.currentWave + 1) + " approved";
            case ROLLBACK -> "rolling back";
        };
        return ChatReply.toChannel("Rollout " + rollout.id + " (" + rollout.planName + "): " + done + " by " + user.name() + ".");
    }

    private ChatReply unfinished() {
        return QuarkusTransaction.joiningExisting().call(this::unfinishedInTransaction);
    }

    private ChatReply unfinishedInTransaction() {
        List<Rollout> open = Rollout.list("finishedAt is null order by id");
        if (open.isEmpty()) {
            return ChatReply.toCaller("No rollout is running.");
        }
        return ChatReply.toCaller(open.stream().map(r -> "• " + r.id + " " + r.planName + ": " + r.state + ", wave "
                + (r.currentWave + 1) + " " + r.wavePhase).collect(Collectors.joining("\n")));
    }

    private ChatReply status(long id, ChatUser user, String where) {
        return QuarkusTransaction.joiningExisting().call(() -> statusInTransaction(id, user, where));
    }

    private ChatReply statusInTransaction(long id, ChatUser user, String where) {
        Rollout r = Rollout.findById(id);
        if (r == null) {
            return ChatReply.toCaller("No rollout " + id + ".");
        }
        Map<String, Long> byState = new TreeMap<>();
        NodeRun.<NodeRun>list("rolloutId", id).forEach(n -> byState.merge(n.state.name(), 1L, Long::sum));
        audit(id, user, where, "status " + id);
        return ChatReply.toCaller("Rollout " + r.id + " (" + r.planName + ", started by " + r.startedBy + "): " + r.state
                + ", wave " + (r.currentWave + 1) + " " + r.wavePhase + "; nodes " + byState
                + (r.haltReason == null ? "" : "; halted: " + r.haltReason));
    }

    private void audit(long rolloutId, ChatUser user, String where, String text) {
        QuarkusTransaction.joiningExisting().run(() -> RolloutEvent.record(rolloutId, null, clock.now(), user.name(),
                "chat.command", "/waveline " + text + " (" + user.platform() + " user " + user.chatId() + ", " + where + ")"));
    }
}
