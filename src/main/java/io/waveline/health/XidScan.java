package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code xid} check: NVRM XID lines in the kernel log since boot ({@code dmesg}), in the shapes the driver prints
 * ({@code kernel_rc.c} and the memory-error docs): {@code NVRM: Xid (PCI:0000:2b:00): 79, pid=…, name=…, GPU has
 * fallen off the bus.}; on a MIG GPU with the instance in the parenthesis, {@code (PCI:0000:01:00 GPU-I:05)} or
 * {@code (PCI:0000:3b:00 GPU-I:01 GPU-CI:02)}; from older drivers without {@code PCI:}. A line whose XID is in the plan's
 * fatal set fails the check. The Blackwell NVLink XIDs 144–150 carry their severity in the line ({@code …, NETIR
 * Fatal XC0 …} or {@code …, RLW_RXPIPE Nonfatal XC0 …}): only a {@code Fatal} one counts. Besides XIDs, a GPU that
 * fell off the bus without one ({@code NVRM: The NVIDIA GPU 0000:b3:00.0 … has fallen off the bus and is not
 * responding to commands.}, at driver load, the line sometimes wrapped in two) always fails, as hardware. XIDs that
 * NVIDIA ties to the hardware (48 double-bit ECC, 64 row-remap failure, 79 fallen off the bus, 95 uncontained memory
 * error, 119/120 GSP, the NVLink 144–150) point at the hardware; others at the driver. Pure; never throws.
 */
public final class XidScan {

    /** The kernel log since boot; {@code dmesg} needs root or kernel.dmesg_restrict=0, which the ssh method has. */
    public static final String COMMAND = "dmesg";
    /** The default fatal set (health-checks.md): hardware XIDs, NVLink (74, and 144–150 when marked Fatal), contained memory errors (94). */
    public static final Set<Integer> DEFAULT_FATAL = Set.of(48, 64, 74, 79, 94, 95, 119, 120, 144, 145, 146, 147, 148, 149, 150);
    public static final Set<Integer> HARDWARE = Set.of(48, 64, 79, 95, 119, 120, 144, 145, 146, 147, 148, 149, 150);
    /** The NVLink XIDs whose line says whether they are {@code Fatal} or {@code Nonfatal}. */
    static final Set<Integer> SEVERITY_IN_LINE = Set.of(144, 145, 146, 147, 148, 149, 150);
    private static final Pattern XID = Pattern.compile(
            "NVRM: Xid \\((?:PCI:)?([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\\.[0-9a-fA-F])?)[^)]*\\): (\\d+),(.*)$");
    private static final Pattern FALLEN = Pattern.compile("NVRM: (?:The NVIDIA )?GPU (?:at )?([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}"
            + "(?:\\.[0-9a-fA-F])?)[^\\n]*?has fallen off the bus");
    /** The driver's "fallen off the bus" message wrapped after "installed in this" (the next line indented, or prefixed again). */
    private static final Pattern WRAPPED = Pattern.compile("(NVRM: The NVIDIA GPU (?:(?!has fallen off the bus)[^\\n])*)\\R[ \\t]*(?:\\[[^\\]\\n]*\\][ \\t]*)?"
            + "(?:kernel:[ \\t]*)?(?:NVRM:[ \\t]*)?(?=[^\\n]*has fallen off the bus)");
    private static final Pattern NONFATAL = Pattern.compile("\\bNon-?fatal\\b", Pattern.CASE_INSENSITIVE);

    private XidScan() {
    }

    /** One XID line: {@code nonfatal} when the line itself says so (the NVLink XIDs 144–150). */
    public record Xid(int code, String busId, String line, boolean nonfatal) {
    }

    public static List<Xid> find(String kernelLog) {
        List<Xid> found = new ArrayList<>();
        for (String line : kernelLog.split("\\R")) {
            Matcher m = XID.matcher(line);
            if (m.find()) {
                try {
                    int code = Integer.parseInt(m.group(2));
                    found.add(new Xid(code, m.group(1), line.strip(), SEVERITY_IN_LINE.contains(code) && NONFATAL.matcher(m.group(3)).find()));
                } catch (NumberFormatException e) {
                    // a number too long for an XID is not one
                }
            }
        }
        return found;
    }

    /**
     * The GPUs the kernel log says fell off the bus without any XID line for them (a wrapped line is joined first); the
     * driver's own {@code NVRM: GPU 0000:5d:00.0: GPU has fallen off the bus.} after an XID 79 of the same GPU is not one.
     */
    public static List<String> fallenOffTheBus(String kernelLog) {
        return fallenOffTheBus(kernelLog, find(kernelLog));
    }

    private static List<String> fallenOffTheBus(String kernelLog, List<Xid> xids) {
        Set<String> withXid = new LinkedHashSet<>();
        xids.forEach(x -> withXid.add(bus(x.busId())));
        return fallenLines(kernelLog).stream().filter(b -> !withXid.contains(bus(b))).toList();
    }

    /** A bus id without its function ({@code 0000:5d:00.0} and {@code 0000:5d:00} are the same GPU), lower case. */
    private static String bus(String id) {
        return id.toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.[0-9a-f]$", "");
    }

    private static List<String> fallenLines(String kernelLog) {
        String joined = WRAPPED.matcher(kernelLog).replaceAll("$1 ");
        Set<String> buses = new LinkedHashSet<>();
        for (String line : joined.split("\\R")) {
            Matcher m = FALLEN.matcher(line);
            if (m.find() && !XID.matcher(line).find()) {
                buses.add(m.group(1));
            }
        }
        return List.copyOf(buses);
    }

    public static CheckOutcome evaluate(String kernelLog, Set<Integer> fatal) {
        List<Xid> xids = find(kernelLog);
        List<Xid> fatalOnes = xids.stream().filter(x -> fatal.contains(x.code()) && !x.nonfatal()).toList();
        Set<Integer> codes = new LinkedHashSet<>();
        xids.forEach(x -> codes.add(x.code()));
        List<String> fallen = fallenOffTheBus(kernelLog, xids);
        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("xids", List.copyOf(codes));
        figures.put("lines", xids.size());
        if (!fallen.isEmpty()) {
            figures.put("fallenOffTheBus", fallen);
            figures.put("signature", "gpu-fallen-off-bus");
            return CheckOutcome.fail("xid", CheckOutcome.Cause.HARDWARE, "GPU " + String.join(", ", fallen)
                    + " has fallen off the bus and is not responding (no XID; the kernel log at driver load)", figures, kernelLog);
        }
        if (fatalOnes.isEmpty()) {
            String summary = xids.isEmpty() ? "no XID since boot" : "XID " + codes + " since boot, none fatal";
            return new CheckOutcome("xid", xids.isEmpty() ? CheckStatus.PASS : CheckStatus.WARN, summary,
                    CheckOutcome.Cause.NONE, figures, kernelLog);
        }
        Xid first = fatalOnes.get(0);
        boolean hardware = fatalOnes.stream().allMatch(x -> HARDWARE.contains(x.code()));
        Map<String, Object> failed = figures;
        failed.put("signature", "xid-" + first.code());
        return CheckOutcome.fail("xid", hardware ? CheckOutcome.Cause.HARDWARE : CheckOutcome.Cause.DRIVER,
                "XID " + first.code() + " on " + first.busId() + (fatalOnes.size() > 1 ? " and " + (fatalOnes.size() - 1)
                        + " more fatal XID line(s)" : "") + ": " + meaning(first.code()), failed, kernelLog);
    }

    static String meaning(int code) {
        return switch (code) {
            case 48 -> "double-bit ECC error";
            case 63 -> "row remapping event";
            case 64 -> "row remapping failure";
            case 74 -> "NVLink error";
            case 79 -> "GPU has fallen off the bus";
            case 92 -> "high single-bit ECC error rate";
            case 94 -> "contained memory error";
            case 95 -> "uncontained memory error";
            case 119, 120 -> "GSP error";
            case 144, 145, 146, 147, 148, 149, 150 -> "NVLink error (fatal)";
            default -> "see NVIDIA's XID catalog";
        };
    }
}
