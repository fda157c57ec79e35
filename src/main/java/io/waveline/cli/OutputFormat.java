package io.waveline.cli;

import java.io.PrintWriter;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import picocli.CommandLine.Option;

/** {@code -o human|json|yaml}: how a command prints its answer; human unless told. */
final class OutputFormat {

    enum Kind {
        human, json, yaml
    }

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = { "-o", "--output" }, defaultValue = "human", description = "human (default), json or yaml")
    Kind kind = Kind.human;

    boolean human() {
        return kind == Kind.human;
    }

    /** Prints {@code value} (a JSON tree or anything Jackson writes) as JSON or YAML. */
    void print(PrintWriter out, Object value) {
        JsonNode tree = JSON.valueToTree(value);
        if (kind == Kind.yaml) {
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            out.print(new Yaml(options).dump(JSON.convertValue(tree, Object.class)));
        } else {
            try {
                out.println(JSON.writeValueAsString(tree));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        out.flush();
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
