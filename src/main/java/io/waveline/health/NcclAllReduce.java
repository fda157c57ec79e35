package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code nccl-allreduce} check: NCCL {@code all_reduce_perf} output. Columns are found by the header (older
 * builds print {@code error} instead of {@code #wrong} and have no {@code root} column); without a header (the output's
 * beginning lost), a result row's out-of-place busbw is its sixth field from the end. Lines tagged by
 * {@code mpirun --tag-output} ({@code [1,0]<stdout>:}) are read without the tag. The check passes when
 * {@code # Out of bounds values : 0 OK} and the bus bandwidth reaches the plan's threshold. Pure; truncated or
 * foreign output gives an ERROR outcome.
 */
public final class NcclAllReduce {

    private static final Pattern OUT_OF_BOUNDS = Pattern.compile("# Out of bounds values\\s*:\\s*(\\d+)\\s+(OK|FAILED)");
    private static final Pattern MPI_TAG = Pattern.compile("^\\s*\\[\\d+,\\d+\\]<std(?:out|err)>:");
    private static final Pattern AVERAGE = Pattern.compile("# Avg bus bandwidth\\s*:\\s*([0-9.]+)");

    private NcclAllReduce() {
    }

    /** One message size ({@code -b} = {@code -e}), across {@code gpus} GPUs of the node. */
    public static String command(String size, int gpus) {
        return "all_reduce_perf -b " + size + " -e " + size + " -f 2 -g " + gpus;
    }

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}");

    /**
     * One run across several nodes with Open MPI: one rank per GPU ({@code -g 1}), {@code gpusPerNode} ranks on each
     * host. Host names come from the inventory and are checked once more here.
     */
    public static String multiNodeCommand(List<String> hosts, int gpusPerNode, String size) {
        StringBuilder list = new StringBuilder();
        for (String host : hosts) {
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("refusing host name " + host);
            }
            list.append(list.isEmpty() ? "" : ",").append(host).append(':').append(gpusPerNode);
        }
        return "mpirun --allow-run-as-root -np " + hosts.size() * gpusPerNode + " -H " + list
                + " -x NCCL_DEBUG=WARN all_reduce_perf -b " + size + " -e " + size + " -f 2 -g 1";
    }

    public static CheckOutcome evaluate(String output, double minBusBandwidthGBps) {
        Matcher oob = OUT_OF_BOUNDS.matcher(output);
        Double busbw = largestMessageBusBandwidth(output);
        Matcher avg = AVERAGE.matcher(output);
        if (!oob.find() || (busbw == null && !avg.find())) {
            return new CheckOutcome("nccl-allreduce", CheckStatus.ERROR,
                    "all_reduce_perf output has no result (truncated, or the test did not run)", CheckOutcome.Cause.NONE,
                    Map.of(), output);
        }
        double bandwidth = busbw != null ? busbw : Double.parseDouble(avg.group(1));
        int wrong = Integer.parseInt(oob.group(1));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("busbwGBps", bandwidth);
        figures.put("outOfBounds", wrong);
        figures.put("thresholdGBps", minBusBandwidthGBps);
        if (wrong > 0 || oob.group(2).equals("FAILED")) {
            return CheckOutcome.fail("nccl-allreduce", CheckOutcome.Cause.DRIVER, wrong
                    + " out-of-bounds values in all_reduce_perf (wrong results)", figures, output);
        }
        if (bandwidth < minBusBandwidthGBps) {
            return CheckOutcome.fail("nccl-allreduce", CheckOutcome.Cause.DRIVER, String.format(java.util.Locale.ROOT,
                    "bus bandwidth %.1f GB/s below the threshold %.1f GB/s", bandwidth, minBusBandwidthGBps), figures, output);
        }
        return CheckOutcome.pass("nccl-allreduce", String.format(java.util.Locale.ROOT, "bus bandwidth %.1f GB/s",
                bandwidth), figures, output);
    }

    /** The out-of-place busbw of the largest message size, located by the header's column names. */
    static Double largestMessageBusBandwidth(String output) {
        List<String> lines = output.lines().map(l -> MPI_TAG.matcher(l).replaceFirst("")).toList();
        int busbwColumn = -1;
        Double best = null;
        long bestSize = -1;
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") && trimmed.contains("busbw") && trimmed.contains("size")) {
                String[] header = trimmed.substring(1).trim().split("\\s+");
                for (int i = 0; i < header.length; i++) {
                    if (header[i].equals("busbw")) {
                        busbwColumn = i;
                        break;
                    }
                }
            } else if (!trimmed.startsWith("#") && !trimmed.isEmpty()) {
                String[] fields = trimmed.split("\\s+");
                int column = busbwColumn >= 0 ? busbwColumn : fields.length >= 12 ? fields.length - 6 : -1;
                if (column >= 0 && fields.length > column) {
                    try {
                        long size = Long.parseLong(fields[0]);
                        double value = Double.parseDouble(fields[column]);
                        if (size > bestSize) {
                            bestSize = size;
                            best = value;
                        }
                    } catch (NumberFormatException e) {
                        // not a result row
                    }
                }
            }
        }
        return best;
    }
}
