package io.waveline.health;

import java.util.List;

import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;

/**
 * A group of GPU health checks run on one node after a step. Checks parse real tool output with pure parsers and
 * never throw on garbage: unreadable output is an ERROR outcome. A node that does not answer is transient and
 * surfaces as {@link NodeUnreachableException}.
 */
public interface HealthCheck {

    List<CheckOutcome> run(NodeAddress node, CheckContext context) throws NodeUnreachableException;
}
