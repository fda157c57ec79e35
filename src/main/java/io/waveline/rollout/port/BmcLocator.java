package io.waveline.rollout.port;

import java.net.URI;
import java.util.Optional;

/**
 * Where a node's BMC answers and how to trust it: its Redfish service root, the CA its certificate is signed by,
 * and, where the BMCs share one account (the simulator's), that account.
 */
public interface BmcLocator extends Selectable {

    record Bmc(URI uri, Optional<String> caPem, Optional<Account> account) {
    }

    record Account(String user, String password) {
    }

    Bmc locate(String node) throws NodeUnreachableException;
}
