package io.waveline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Names in the order people expect, and the same order as the first (regex-based) version gave, on generated names. */
class NaturalOrderTest {

    @Test
    void numbersCompareByValueAndTiesFallBackToText() {
        List<String> names = new ArrayList<>(List.of("gpu-10", "gpu-2", "gpu-007", "gpu-7", "gpu-1a", "gpu-1", "rack-0", "rack-00"));
        names.sort(NaturalOrder.INSTANCE);
        assertThat(names).containsExactly("gpu-1", "gpu-1a", "gpu-2", "gpu-007", "gpu-7", "gpu-10", "rack-0", "rack-00");
    }

    @Test
    void ordersGeneratedNamesAsTheFirstVersionDid() {
        Random random = new Random(7);
        String alphabet = "ab-0012345679";
        for (int round = 0; round < 20_000; round++) {
            String a = name(random, alphabet);
            String b = name(random, alphabet);
            assertThat(Integer.signum(NaturalOrder.INSTANCE.compare(a, b))).as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(firstVersion(a, b)));
        }
    }

    private static String name(Random random, String alphabet) {
        StringBuilder name = new StringBuilder();
        for (int i = random.nextInt(8); i >= 0; i--) {
            name.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return name.toString();
    }

    /** NaturalOrder as first written (leading zeros dropped with a regular expression): the reference. */
    private static int firstVersion(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int endA = i;
                while (endA < a.length() && Character.isDigit(a.charAt(endA))) {
                    endA++;
                }
                int endB = j;
                while (endB < b.length() && Character.isDigit(b.charAt(endB))) {
                    endB++;
                }
                String numberA = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
                String numberB = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
                int byLength = Integer.compare(numberA.length(), numberB.length());
                if (byLength != 0) {
                    return byLength;
                }
                int byDigits = numberA.compareTo(numberB);
                if (byDigits != 0) {
                    return byDigits;
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
}
