package io.waveline.plan;

/**
 * A number of nodes given as a count ({@code 2}) or a share ({@code "25%"}). A share is rounded up, so
 * {@code 10%} of 15 nodes is 2 nodes, and never resolves to less than one node of a non-empty set.
 */
public record Quantity(int value, boolean percent) {

    public static Quantity count(int value) {
        return new Quantity(value, false);
    }

    public static Quantity percentage(int value) {
        return new Quantity(value, true);
    }

    public int resolve(int total) {
        if (!percent) {
            return value;
        }
        if (total == 0 || value == 0) {
            return 0;
        }
        return Math.max(1, (int) Math.ceil(total * (value / 100.0)));
    }

    @Override
    public String toString() {
        return percent ? value + "%" : Integer.toString(value);
    }
}
