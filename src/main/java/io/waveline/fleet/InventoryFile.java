package io.waveline.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An inventory source read from a file on every refresh, in one of the formats ({@code static}, {@code ansible}). */
public record InventoryFile(String format, Path file, Format parser) implements InventorySource {

    /** Turns a file's text into nodes, or fails with every problem found. */
    @FunctionalInterface
    public interface Format {
        List<FleetNode> parse(String fileName, String text, String source) throws InventoryException;
    }

    public static InventoryFile staticYaml(Path file) {
        return new InventoryFile("static", file, StaticInventoryFile::parse);
    }

    public static InventoryFile ansible(Path file) {
        return new InventoryFile("ansible", file, AnsibleInventory::parse);
    }

    @Override
    public String name() {
        return format + ":" + file.getFileName();
    }

    @Override
    public List<FleetNode> load() throws InventoryException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InventoryException(file.toString(), "cannot be read: " + e.getMessage()
                    + "; check the path in waveline.inventory." + format + "-file");
        }
        return parser.parse(file.toString(), text, name());
    }
}
