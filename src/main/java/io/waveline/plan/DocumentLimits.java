package io.waveline.plan;

import java.io.StringReader;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;

/**
 * Where a whole-document refusal happened, for errors the YAML library raises without a position (too many
 * aliases, nesting too deep): the document's events are walked again and the first one past a limit is named; a
 * document over the size limit is refused at the line where it passes it; bytes that are not UTF-8 at their line.
 */
final class DocumentLimits {

    private DocumentLimits() {
    }

    static SourcePosition whereRefused(String text, LoaderOptions options) {
        Mark last = null;
        int aliases = 0;
        int depth = 0;
        try {
            for (Event event : new Yaml(options).parse(new StringReader(text))) {
                last = event.getStartMark();
                if (event instanceof AliasEvent && ++aliases > options.getMaxAliasesForCollections()) {
                    return of(last);
                }
                if (event instanceof CollectionStartEvent && ++depth > options.getNestingDepthLimit()) {
                    return of(last);
                }
                if (event instanceof CollectionEndEvent) {
                    depth--;
                }
            }
        } catch (YAMLException e) {
            return of(last);
        }
        return of(last);
    }

    static SourcePosition positionOfChar(String text, int index) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(index, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SourcePosition(line, column);
    }

    /** The position of the first byte sequence that is not UTF-8, or empty when all of it is. */
    static java.util.Optional<SourcePosition> notUtf8(byte[] bytes) {
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            return java.util.Optional.empty();
        }
        out.flip();
        return java.util.Optional.of(positionOfChar(out.toString(), out.length()));
    }

    private static SourcePosition of(Mark mark) {
        return mark == null ? SourcePosition.UNKNOWN : new SourcePosition(mark.getLine() + 1, mark.getColumn() + 1);
    }
}
