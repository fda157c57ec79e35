package io.waveline.plan;

import java.util.Comparator;

/** Orders names as people do: {@code gpu-2} before {@code gpu-10}. Ties fall back to plain text order. */
public final class NaturalOrder implements Comparator<String> {

    public static final NaturalOrder INSTANCE = new NaturalOrder();

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                // the numbers without leading zeros (one digit kept), compared by length, then digit by digit
                int fromA = zerosEnd(a, i, endA);
                int fromB = zerosEnd(b, j, endB);
                int byLength = Integer.compare(endA - fromA, endB - fromB);
                if (byLength != 0) {
                    return byLength;
                }
                for (int k = 0; k < endA - fromA; k++) {
                    int byDigit = Character.compare(a.charAt(fromA + k), b.charAt(fromB + k));
                    if (byDigit != 0) {
                        return byDigit;
                    }
                }
                i = endA;
                j = endB;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int byRest = Integer.compare(a.length() - i, b.length() - j);
        return byRest != 0 ? byRest : a.compareTo(b);
    }

    /** Where a run of digits {@code [from, end)} starts once its leading zeros are left out, keeping its last digit. */
    private static int zerosEnd(String text, int from, int end) {
        int at = from;
        while (at < end - 1 && text.charAt(at) == '0') {
            at++;
        }
        return at;
    }

    private static int digitsEnd(String text, int from) {
        int end = from;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }
}
