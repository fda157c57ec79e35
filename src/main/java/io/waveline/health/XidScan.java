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
 * The {@code xid} check: NVRM XID lines in the kernel log since boot ({@code dmesg}, {@code journalctl -k}), e.g.
 * {@code NVRM: Xid (PCI:0000:2b:00): 79, GPU has fallen off the bus.} A line whose XID is in the plan's fatal set
 * fails the check. XIDs that NVIDIA ties to the hardware (48 double-bit ECC, 64 row-remap failure, 79 fallen off
 * the bus, 95 uncontained memory error, 119/120 GSP) point at the hardware; others at the driver. Pure; never
 * throws.
 */
public final class XidScan {

    /** The default fatal set (gpu-health.md): hardware XIDs plus NVLink (74) and contained memory errors (94). */
    /** The kernel log since boot; {@code dmesg} needs root or kernel.dmesg_restrict=0, which the ssh method has. */
    public static final String COMMAND = "dmesg";
    public static final Set<Integer> DEFAULT_FATAL = Set.of(48, 64, 74, 79, 94, 95, 119, 120);
    public static final Set<Integer> HARDWARE = Set.of(48, 64, 79, 95, 119, 120);
    private static final Pattern XID = Pattern.compile("NVRM: Xid \\(PCI:([0-9a-fA-F:.]+)\\): (\\d+),");

    private XidScan() {
    }

    public record Xid(int code, String busId, String line) {
    }

    public static List<Xid> find(String kernelLog) {
        List<Xid> found = new ArrayList<>();
        for (String line : kernelLog.split("\\R")) {
            Matcher m = XID.matcher(line);
            if (m.find()) {
                try {
                    found.add(new Xid(Integer.parseInt(m.group(2)), m.group(1), line.strip()));
                } catch (NumberFormatException e) {
                    // a number too long for an XID is not one
                }
            }
        }
        return found;
    }

    public static CheckOutcome evaluate(String kernelLog, Set<Integer> fatal) {
        List<Xid> xids = find(kernelLog);
        List<Xid> fatalOnes = xids.stream().filter(x -> fatal.contains(x.code())).toList();
        Set<Integer> codes = new LinkedHashSet<>();
        xids.forEach(x -> codes.add(x.code()));
        Map<String, Object> figures = Map.of("xids", List.copyOf(codes), "lines", xids.size());
        if (fatalOnes.isEmpty()) {
            String summary = xids.isEmpty() ? "no XID since boot" : "XID " + codes + " since boot, none fatal";
            return new CheckOutcome("xid", xids.isEmpty() ? CheckStatus.PASS : CheckStatus.WARN, summary,
                    CheckOutcome.Cause.NONE, figures, kernelLog);
        }
        Xid first = fatalOnes.get(0);
        boolean hardware = fatalOnes.stream().allMatch(x -> HARDWARE.contains(x.code()));
        Map<String, Object> failed = new java.util.LinkedHashMap<>(figures);
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
            default -> "see NVIDIA's XID catalog";
        };
    }
}
