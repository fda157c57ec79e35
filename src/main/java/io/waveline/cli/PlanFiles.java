package io.waveline.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.waveline.plan.PlanError;
import io.waveline.plan.PlanReview;

/** Reading plan files from disk as the service reads them (UTF-8 or an error at the first bad byte), and printing their problems. */
final class PlanFiles {

    private PlanFiles() {
    }

    /** The file's text, or the one error that stops it from being read. */
    record Read(String file, Optional<String> text, Optional<PlanError> error) {
    }

    static Read read(Path path) {
        String file = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (java.nio.file.NoSuchFileException e) {
            return new Read(file, Optional.empty(), Optional.of(new PlanError(file, 0, 0, "", "no such file")));
        } catch (IOException e) {
            return new Read(file, Optional.empty(), Optional.of(new PlanError(file, 0, 0, "", "cannot be read: " + e.getMessage())));
        }
        Optional<PlanError> notUtf8 = PlanReview.notUtf8(file, bytes);
        if (notUtf8.isPresent()) {
            return new Read(file, Optional.empty(), notUtf8);
        }
        return new Read(file, Optional.of(new String(bytes, StandardCharsets.UTF_8)), Optional.empty());
    }

    /** {@code file:line:column: field: message}, as compilers write it (without a line where there is none). */
    static String compilerStyle(PlanError e, String severity) {
        StringBuilder line = new StringBuilder(e.file());
        if (e.line() > 0) {
            line.append(':').append(e.line()).append(':').append(Math.max(1, e.column()));
        }
        line.append(": ");
        if (!severity.isEmpty()) {
            line.append(severity).append(": ");
        }
        if (!e.path().isEmpty()) {
            line.append(e.path()).append(": ");
        }
        return line.append(e.message()).toString();
    }

    static List<Object> views(List<PlanError> errors) {
        return errors.stream().<Object>map(e -> OutputFormat.map("file", e.file(), "line", e.line(), "column", e.column(), "field",
                e.path(), "message", e.message())).toList();
    }
}
