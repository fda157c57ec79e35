package io.waveline.plan;

/**
 * One precise problem in a YAML document: where it is (file, line, column, field path) and what to do.
 * Lines and columns are 1-based, as editors show them.
 */
public record PlanError(String file, int line, int column, String path, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + " line " + line + ", column " + column : file;
        return path.isEmpty() ? where + ": " + message : where + ": " + path + ": " + message;
    }
}
