package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.GpuBaseline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code nvlink} check: {@code nvidia-smi nvlink -s} prints a header per GPU
 * ({@code GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)}) followed by one line per link, its speed when up
 * ({@code Link 0: 26.562 GB/s}) or {@code <inactive>} when down. A GPU without NVLink prints its header alone, and
 * a host without any prints nothing. A GPU whose links are all down prints, instead of its links,
 * {@code NVML: Unable to retrieve NVLink information as all links are inActive} (older drivers: {@code inactive}):
 * every link of it is down, which on an NVSwitch system is a Fabric Manager or NVSwitch failure, never "no NVLink".
 * Pass: every link listed is up, and no GPU has fewer links up than in the baseline. A link down points at the
 * hardware (cable, NVSwitch tray) unless every link of the node is down, which points at the driver (Fabric
 * Manager, module). The format is only partly documented: lines that are neither a GPU header nor a link line are
 * ignored, and output without any GPU header is unreadable. Pure; never throws.
 */
public final class NvlinkStatus {

    public static final String COMMAND = "nvidia-smi nvlink -s";
    private static final Pattern GPU = Pattern.compile("^GPU (\\d+):");
    private static final Pattern LINK = Pattern.compile("^\\s*Link (\\d+): (.*)$");
    private static final Pattern SPEED = Pattern.compile("[0-9.]+ GB/s");
    private static final String ALL_INACTIVE = "all links are inactive";

    /**
     * Links up per GPU index, the links down as "GPU g link l", the GPUs whose links are all inactive, or why the output
     * could not be read.
     */
    public record Result(Map<Integer, Integer> linksUp, List<String> down, List<Integer> allInactive, Optional<String> problem) {
    }

    private NvlinkStatus() {
    }

    public static Result parse(int exitStatus, String output) {
        Map<Integer, Integer> up = new LinkedHashMap<>();
        List<String> down = new ArrayList<>();
        List<Integer> allInactive = new ArrayList<>();
        Integer gpu = null;
        // A check reads this for every GPU link of every node (144 lines on an 8-GPU HGX board): cheap prefixes first,
        // a pattern only on the lines that can match it, one matcher each reset per line.
        Matcher header = GPU.matcher("");
        Matcher link = LINK.matcher("");
        Matcher speed = SPEED.matcher("");
        for (String line : (Iterable<String>) output.lines()::iterator) {
            if (line.startsWith("GPU ") && header.reset(line).find()) {
                try {
                    gpu = Integer.parseInt(header.group(1));
                    up.putIfAbsent(gpu, 0);
                } catch (NumberFormatException e) {
                    gpu = null;
                }
                continue;
            }
            if (gpu == null) {
                continue;
            }
            if (allInactive(line)) {
                allInactive.add(gpu);
                continue;
            }
            if (line.contains("Link ") && link.reset(line).find()) {
                String state = link.group(2);
                if (state.contains(" GB/s") && speed.reset(state).find()) {
                    up.merge(gpu, 1, Integer::sum);
                } else {
                    down.add("GPU " + gpu + " link " + link.group(1));
                }
            }
        }
        if (up.isEmpty() && exitStatus == 0 && output.isBlank()) {
            return new Result(Map.of(), List.of(), List.of(), Optional.empty());
        }
        if (up.isEmpty() && allInactive(output)) {
            return new Result(Map.of(), List.of(), List.of(-1), Optional.empty()); // no GPU header: every GPU's links down
        }
        if (up.isEmpty()) {
            String first = output.lines().filter(l -> !l.isBlank()).findFirst().orElse("(no output)").strip();
            return new Result(Map.of(), List.of(), List.of(), Optional.of("exit " + exitStatus + ": " + first));
        }
        return new Result(up, down, List.copyOf(allInactive), Optional.empty());
    }

    /** Whether the text says {@code all links are inactive}, in any case (drivers differ: {@code inActive}, {@code inactive}). */
    private static boolean allInactive(String text) {
        int length = ALL_INACTIVE.length();
        for (int i = 0; i + length <= text.length(); i++) {
            if (text.regionMatches(true, i, ALL_INACTIVE, 0, length)) {
                return true;
            }
        }
        return false;
    }

    public static CheckOutcome evaluate(int exitStatus, String output, Optional<GpuBaseline> baseline) {
        Result result = parse(exitStatus, output);
        if (result.problem().isPresent()) {
            return new CheckOutcome("nvlink", CheckStatus.ERROR, "nvidia-smi nvlink unreadable (" + result.problem().get() + ")",
                    CheckOutcome.Cause.NONE, Map.of(), output);
        }
        int total = result.linksUp().values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("linksUp", total);
        figures.put("down", result.down());
        if (!result.allInactive().isEmpty()) {
            figures.put("allInactive", result.allInactive());
        }
        List<String> fewer = new ArrayList<>();
        baseline.ifPresent(b -> b.nvlinksUp().forEach((index, before) -> {
            int now = result.linksUp().getOrDefault(index, 0);
            if (now < before) {
                fewer.add("GPU " + index + ": " + now + " of " + before + " links up");
            }
        }));
        if (result.down().isEmpty() && fewer.isEmpty() && result.allInactive().isEmpty()) {
            return CheckOutcome.pass("nvlink", total == 0 ? "no NVLink on these GPUs" : "all " + total + " NVLinks up", figures, output);
        }
        boolean allDown = total == 0;
        List<String> problems = new ArrayList<>(fewer);
        if (!result.allInactive().isEmpty()) {
            problems.add(0, (result.allInactive().contains(-1) ? "every GPU" : "GPU " + result.allInactive().stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse("")) + ": all NVLinks inactive (Fabric Manager or NVSwitch)");
        }
        if (!result.down().isEmpty()) {
            problems.add(0, result.down().size() + " link(s) down: " + String.join(", ", result.down().subList(0,
                    Math.min(4, result.down().size()))) + (result.down().size() > 4 ? ", …" : ""));
        }
        figures.put("signature", allDown ? "nvlink-all-down" : "nvlink-down");
        return CheckOutcome.fail("nvlink", allDown ? CheckOutcome.Cause.DRIVER : CheckOutcome.Cause.HARDWARE,
                String.join("; ", problems), figures, output);
    }
}
