package io.waveline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LabelSelectorTest {

    static final Map<String, String> H100_R01 = Map.of("pool", "h100", "rack", "r01", "zone", "a");
    static final Map<String, String> A100_R05 = Map.of("pool", "a100", "rack", "r05");

    static boolean matches(String selector, Map<String, String> labels) throws LabelSelector.SyntaxException {
        return LabelSelector.parse(selector).matches(labels);
    }

    @Test
    void equalityAndInequality() throws Exception {
        assertThat(matches("pool=h100", H100_R01)).isTrue();
        assertThat(matches("pool==h100", A100_R05)).isFalse();
        assertThat(matches("pool!=h100", A100_R05)).isTrue();
        assertThat(matches("zone!=b", A100_R05)).as("!= matches nodes without the label, as in Kubernetes").isTrue();
    }

    @Test
    void setMembership() throws Exception {
        assertThat(matches("rack in (r01, r02)", H100_R01)).isTrue();
        assertThat(matches("rack in (r02,r03)", H100_R01)).isFalse();
        assertThat(matches("rack notin (r01)", H100_R01)).isFalse();
        assertThat(matches("zone notin (a)", A100_R05)).isTrue();
    }

    @Test
    void existence() throws Exception {
        assertThat(matches("zone", H100_R01)).isTrue();
        assertThat(matches("zone", A100_R05)).isFalse();
        assertThat(matches("!zone", A100_R05)).isTrue();
    }

    @Test
    void allRequirementsMustHold() throws Exception {
        assertThat(matches("pool=h100, rack in (r01), !drained", H100_R01)).isTrue();
        assertThat(matches("pool=h100,rack=r02", H100_R01)).isFalse();
    }

    @Test
    void syntaxErrorsSayWhereAndWhat() {
        assertThatThrownBy(() -> LabelSelector.parse("rack in r01")).isInstanceOf(LabelSelector.SyntaxException.class)
                .hasMessageContaining("written in parentheses");
        assertThatThrownBy(() -> LabelSelector.parse("pool=h100 rack=r01")).hasMessageContaining("separated by commas");
        assertThatThrownBy(() -> LabelSelector.parse("pool=$(rm)")).hasMessageContaining("is not a valid label value");
        assertThatThrownBy(() -> LabelSelector.parse("  ")).hasMessageContaining("the selector is empty");
    }
}
