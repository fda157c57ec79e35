package io.waveline.rollout;

/** For tests outside the package: the changes {@link RolloutStore} and {@link RolloutCommands} count. */
public final class RevisionSteps {

    private RevisionSteps() {
    }

    public static void engineChanged(RolloutRevisions revisions, long id) {
        revisions.changed(id);
    }

    public static void commanded(RolloutRevisions revisions, long id) {
        revisions.commanded(id);
    }
}
