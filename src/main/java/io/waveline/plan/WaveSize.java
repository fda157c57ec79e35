package io.waveline.plan;

/** How many nodes a wave takes: a count, a share of the rollout, every node left, or one of every class. */
public sealed interface WaveSize {

    record Count(int nodes) implements WaveSize {
        @Override
        public String toString() {
            return Integer.toString(nodes);
        }
    }

    record Percent(int percent) implements WaveSize {
        @Override
        public String toString() {
            return percent + "%";
        }
    }

    /** Every node that no earlier wave took. */
    record Rest() implements WaveSize {
        @Override
        public String toString() {
            return "rest";
        }
    }

    /** One node of every distinct hardware/software class (GPU model and current versions). */
    record Coverage() implements WaveSize {
        @Override
        public String toString() {
            return "coverage";
        }
    }
}
