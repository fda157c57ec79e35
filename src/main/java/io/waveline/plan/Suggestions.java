package io.waveline.plan;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for misspelt field and value names: the closest known word within a small edit distance. */
final class Suggestions {

    private Suggestions() {
    }

    static Optional<String> closest(String typed, Collection<String> known) {
        String lower = typed.toLowerCase();
        return known.stream()
                .filter(candidate -> distance(lower, candidate.toLowerCase()) <= Math.max(2, candidate.length() / 4))
                .min(Comparator.comparingInt((String candidate) -> distance(lower, candidate.toLowerCase()))
                        .thenComparing(Comparator.naturalOrder()));
    }

    static String didYouMean(String typed, Collection<String> known) {
        return closest(typed, known).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
