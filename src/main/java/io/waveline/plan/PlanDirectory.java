package io.waveline.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The plan files users keep in git ({@code rollout-plans/*.yaml}), read afresh on every call so an edit shows at
 * once. The one class of this package that touches the file system. A valid plan is known by its
 * {@code metadata.name}; an invalid one by its file name without the extension. Two files claiming one name
 * are both reported.
 */
public final class PlanDirectory {

    private final Path directory;

    public PlanDirectory(Path directory) {
        this.directory = directory;
    }

    /** One plan file: its name, its text, and the error that makes it ambiguous, if any. */
    public record PlanFile(String name, Path path, String text, Optional<PlanError> conflict) {
        public String fileName() {
            return path.getFileName().toString();
        }
    }

    public Path directory() {
        return directory;
    }

    public List<PlanFile> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(directory)) {
            files = entries.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plan directory " + directory, e);
        }
        List<PlanFile> plans = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                text = "";
            }
            PlanParseResult parsed = PlanParser.parse(file.getFileName().toString(), text);
            String name = parsed.plan().map(RolloutPlan::name).orElseGet(() -> fileStem(file));
            String owner = owners.putIfAbsent(name, file.getFileName().toString());
            Optional<PlanError> conflict = owner == null ? Optional.empty()
                    : Optional.of(new PlanError(file.getFileName().toString(), 0, 0, "metadata.name", "\"" + name
                            + "\" is also the name of " + owner + "; plan names must be unique"));
            plans.add(new PlanFile(name, file, text, conflict));
        }
        return plans;
    }

    public Optional<PlanFile> find(String name) {
        return list().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static String fileStem(Path file) {
        String fileName = file.getFileName().toString();
        return fileName.substring(0, fileName.lastIndexOf('.'));
    }
}
