package io.waveline.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A simulated BMC speaking Redfish over HTTPS, for one simulated host: a firmware inventory (BMC, BIOS, GPU, NIC),
 * {@code UpdateService.SimpleUpdate} and a multipart push to {@code MultipartHttpPushUri}, each starting a task taking
 * {@code taskDuration}, the task in {@code TaskService}, and {@code ComputerSystem.Reset}, after which a finished
 * update's version is the running one: GPU and NIC firmware only after a {@code PowerCycle}, BIOS after any reset;
 * BMC firmware when the task completes (the BMC restarts itself, as most do).
 * The image's version is read from its file name ({@code <anything>-<version>.bin|fwpkg|img}). Faults:
 * {@code task-fails} (the task ends in {@code Exception}), {@code version-unchanged} (the reset, or the BMC's own
 * restart, does not apply the image), {@code bmc-gone} (after the reset or its own restart the BMC stops answering), {@code graceful-ignored} (a
 * {@code GracefulRestart} does nothing: the host hangs on its way down), {@code bmc-restarts} (activating its own firmware
 * the BMC does not answer for {@link #RESTART}), {@code no-power-cycle} (the BMC does not
 * offer {@code PowerCycle}; {@code ForceOff} then {@code On} cycles the power instead). Basic auth with one user.
 */
public final class SimBmc implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern IMAGE_VERSION = Pattern.compile("-([0-9][A-Za-z0-9._]*)\\.(bin|fwpkg|img)$");

    public enum Fault {
        TASK_FAILS, VERSION_UNCHANGED, BMC_GONE, GRACEFUL_IGNORED, BMC_RESTARTS, NO_POWER_CYCLE
    }

    private static final List<String> RESET_TYPES = List.of("On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart",
            "PowerCycle");

    /** How long a BMC with the fault {@code bmc-restarts} does not answer after a reset. */
    public static final Duration RESTART = Duration.ofSeconds(2);

    /** Firmware that a warm reset does not activate. */
    private static final Set<String> NEEDS_POWER_CYCLE = Set.of("GPU_FW", "NIC_FW");
    private static final Pattern PUSHED_FILE = Pattern.compile("name=\"UpdateFile\"; filename=\"([^\"]+)\"");
    private static final Pattern PUSHED_PARAMETERS = Pattern.compile("name=\"UpdateParameters\"\r\n(?:[^\r\n]+\r\n)*\r\n(\\{.*?\\})\r\n--",
            Pattern.DOTALL);

    private record Task(String id, Instant finishAt, List<String> targets, String version, boolean fails, String request) {
    }

    /** Faults by the image version being installed, e.g. every host installing 1.12.0 fails its task. */
    private final java.util.function.Function<String, Set<Fault>> faultsOf;
    private Instant lastReset;

    private final HttpsServer server;
    private final Clock clock;
    private final Duration taskDuration;
    private final String authorization;
    private final Map<String, String[]> firmware = new LinkedHashMap<>();
    private final Map<String, String> pending = new LinkedHashMap<>();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final java.util.function.Consumer<String> host;
    private boolean gone;
    private Instant awayUntil;
    private boolean off;
    private int resets;
    private final List<String> resetTypes = new ArrayList<>();
    private final List<String> pushed = new ArrayList<>();
    /** Update tasks whose BMC firmware the BMC has activated (it restarts itself when the task completes). */
    private final Set<String> activated = new java.util.HashSet<>();

    public SimBmc(SSLContext tls, Clock clock, Duration taskDuration, Set<Fault> faults, String user, String password)
            throws IOException {
        this(tls, clock, taskDuration, version -> faults, user, password);
    }

    public SimBmc(SSLContext tls, Clock clock, Duration taskDuration, java.util.function.Function<String, Set<Fault>> faults,
            String user, String password) throws IOException {
        this(tls, clock, taskDuration, faults, user, password, type -> {
        });
    }

    /** {@code host}: told of every reset the host goes through (the reset type), so the simulated host reboots. */
    public SimBmc(SSLContext tls, Clock clock, Duration taskDuration, java.util.function.Function<String, Set<Fault>> faults,
            String user, String password, java.util.function.Consumer<String> host) throws IOException {
        this.host = host;
        this.clock = clock;
        this.taskDuration = taskDuration;
        this.faultsOf = faults;
        this.lastReset = clock.instant();
        this.authorization = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        firmware.put("BMC", new String[] {"BMC Firmware", "1.10.0"});
        firmware.put("BIOS", new String[] {"System BIOS", "2.4.1"});
        firmware.put("GPU_FW", new String[] {"GPU VBIOS", "96.00.99.00.01"});
        firmware.put("NIC_FW", new String[] {"ConnectX-7 Firmware", "28.39.1002"});
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 20);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/redfish/v1/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public synchronized String version(String component) {
        return firmware.get(component)[1];
    }

    public synchronized int resets() {
        return resets;
    }

    /** The reset types asked for, in order, including those the host ignored. */
    public synchronized List<String> resetTypes() {
        return List.copyOf(resetTypes);
    }

    /** The file names of images pushed with a multipart push. */
    public synchronized List<String> pushed() {
        return List.copyOf(pushed);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if (gone || awayUntil != null && clock.instant().isBefore(awayUntil)) {
                exchange.close();
                return;
            }
            if (!authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, Map.of("error", Map.of("message", "authentication required")));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("/redfish/v1/UpdateService/FirmwareInventory")) {
                List<Object> members = new ArrayList<>();
                firmware.keySet().forEach(id -> members.add(Map.of("@odata.id", "/redfish/v1/UpdateService/FirmwareInventory/" + id)));
                answer(exchange, 200, Map.of("@odata.id", path, "Members", members, "Members@odata.count", members.size()));
            } else if (method.equals("GET") && path.startsWith("/redfish/v1/UpdateService/FirmwareInventory/")) {
                String id = path.substring(path.lastIndexOf('/') + 1);
                String[] item = firmware.get(id);
                if (item == null) {
                    answer(exchange, 404, Map.of("error", Map.of("message", "no firmware " + id)));
                } else {
                    answer(exchange, 200, Map.of("@odata.id", path, "Id", id, "Name", item[0], "Version", item[1], "Updateable", true));
                }
            } else if (method.equals("GET") && path.equals("/redfish/v1/UpdateService")) {
                answer(exchange, 200, Map.of("@odata.id", path, "Id", "UpdateService", "ServiceEnabled", true,
                        "MultipartHttpPushUri", "/redfish/v1/UpdateService/update-multipart"));
            } else if (method.equals("POST") && path.equals("/redfish/v1/UpdateService/update-multipart")) {
                multipartPush(exchange, new String(body, StandardCharsets.ISO_8859_1));
            } else if (method.equals("POST") && path.equals("/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate")) {
                simpleUpdate(exchange, JSON.readTree(body));
            } else if (method.equals("GET") && path.equals("/redfish/v1/TaskService/Tasks")) {
                List<Object> members = new ArrayList<>();
                tasks.keySet().forEach(id -> members.add(Map.of("@odata.id", "/redfish/v1/TaskService/Tasks/" + id)));
                answer(exchange, 200, Map.of("@odata.id", path, "Members", members, "Members@odata.count", members.size()));
            } else if (method.equals("GET") && path.startsWith("/redfish/v1/TaskService/Tasks/")) {
                task(exchange, path.substring(path.lastIndexOf('/') + 1));
            } else if (method.equals("GET") && path.matches("/redfish/v1/Systems/[^/]+")) {
                answer(exchange, 200, Map.of("@odata.id", path, "Id", path.substring(path.lastIndexOf('/') + 1), "PowerState",
                        off ? "Off" : "On", "LastResetTime", lastReset.toString(), "Actions", Map.of("#ComputerSystem.Reset",
                                Map.of("target", path + "/Actions/ComputerSystem.Reset", "ResetType@Redfish.AllowableValues", allowedResets()))));
            } else if (method.equals("POST") && path.matches("/redfish/v1/Systems/[^/]+/Actions/ComputerSystem.Reset")) {
                reset(exchange, JSON.readTree(body));
            } else {
                answer(exchange, 404, Map.of("error", Map.of("message", "not simulated: " + method + " " + path)));
            }
        }
    }

    private void multipartPush(HttpExchange exchange, String body) throws IOException {
        Matcher file = PUSHED_FILE.matcher(body);
        Matcher parameters = PUSHED_PARAMETERS.matcher(body);
        if (!file.find() || !parameters.find()) {
            answer(exchange, 400, Map.of("error", Map.of("message", "a multipart push needs the parts UpdateParameters and UpdateFile")));
            return;
        }
        pushed.add(file.group(1));
        startTask(exchange, file.group(1), JSON.readTree(parameters.group(1)).path("Targets"), "");
    }

    private void simpleUpdate(HttpExchange exchange, JsonNode request) throws IOException {
        startTask(exchange, request.path("ImageURI").asText(""), request.path("Targets"), request.toString());
    }

    private void startTask(HttpExchange exchange, String image, JsonNode targetList, String request) throws IOException {
        Matcher version = IMAGE_VERSION.matcher(image);
        if (!version.find()) {
            answer(exchange, 400, Map.of("error", Map.of("message", "the image names no version: " + image)));
            return;
        }
        List<String> targets = new ArrayList<>();
        targetList.forEach(t -> targets.add(t.asText().substring(t.asText().lastIndexOf('/') + 1)));
        String id = Integer.toString(tasks.size() + 1);
        tasks.put(id, new Task(id, clock.instant().plus(taskDuration), targets, version.group(1),
                faultsOf.apply(version.group(1)).contains(Fault.TASK_FAILS), request));
        exchange.getResponseHeaders().add("Location", "/redfish/v1/TaskService/Tasks/" + id);
        answer(exchange, 202, Map.of("@odata.id", "/redfish/v1/TaskService/Tasks/" + id, "TaskState", "New"));
    }

    private void task(HttpExchange exchange, String id) throws IOException {
        Task task = tasks.get(id);
        if (task == null) {
            answer(exchange, 404, Map.of("error", Map.of("message", "no task " + id)));
            return;
        }
        boolean done = !clock.instant().isBefore(task.finishAt());
        String state = !done ? "Running" : task.fails() ? "Exception" : "Completed";
        if (done && !task.fails()) {
            for (String target : task.targets()) {
                if (!target.equals("BMC")) {
                    pending.put(target, task.version());
                } else if (activated.add(task.id())) {
                    Set<Fault> faults = faultsOf.apply(task.version());
                    if (!faults.contains(Fault.VERSION_UNCHANGED)) {
                        firmware.get("BMC")[1] = task.version();
                    }
                    gone |= faults.contains(Fault.BMC_GONE);
                    if (faults.contains(Fault.BMC_RESTARTS)) {
                        awayUntil = clock.instant().plus(RESTART);
                    }
                }
            }
        }
        List<Object> messages = new ArrayList<>();
        if (done && task.fails()) {
            messages.add(Map.of("MessageId", "Update.1.0.ApplyFailed", "Message", "The image failed verification: signature mismatch"));
        } else if (done && task.targets().equals(List.of("BMC"))) {
            messages.add(Map.of("MessageId", "Update.1.0.UpdateSuccessful", "Message", "The BMC restarts to activate the new firmware"));
        } else if (done) {
            messages.add(Map.of("MessageId", "Update.1.0.AwaitToActivate", "Message", "Reset the system to activate the new firmware"));
        }
        Map<String, Object> body = new LinkedHashMap<>(Map.of("@odata.id", "/redfish/v1/TaskService/Tasks/" + id, "Id", id,
                "TaskState", state, "PercentComplete", done ? 100 : 50, "Messages", messages));
        if (!task.request().isEmpty()) {
            body.put("Payload", Map.of("HttpOperation", "POST", "TargetUri", "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate",
                    "JsonBody", task.request()));
        }
        answer(exchange, 200, body);
    }

    /** The reset types this BMC offers; without PowerCycle while an image with the fault {@code no-power-cycle} waits. */
    private List<String> allowedResets() {
        boolean noCycle = pending.values().stream().anyMatch(v -> faultsOf.apply(v).contains(Fault.NO_POWER_CYCLE));
        return RESET_TYPES.stream().filter(t -> !(noCycle && t.equals("PowerCycle"))).toList();
    }

    private void reset(HttpExchange exchange, JsonNode request) throws IOException {
        String type = request.path("ResetType").asText("");
        if (!allowedResets().contains(type)) {
            answer(exchange, 400, Map.of("error", Map.of("message", "ResetType " + type + " is not supported")));
            return;
        }
        resetTypes.add(type);
        if (type.equals("ForceOff") || type.equals("GracefulShutdown") || type.equals("On") && !off) {
            off |= !type.equals("On");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            return;
        }
        boolean cycled = type.equals("PowerCycle") || type.equals("On") && off;
        off = false;
        boolean ignored = type.equals("GracefulRestart")
                && pending.values().stream().anyMatch(v -> faultsOf.apply(v).contains(Fault.GRACEFUL_IGNORED));
        if (ignored) {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            return;
        }
        resets++;
        lastReset = clock.instant().plusMillis(resets);
        boolean bmcGone = false;
        for (java.util.Iterator<Map.Entry<String, String>> it = pending.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, String> entry = it.next();
            if (NEEDS_POWER_CYCLE.contains(entry.getKey()) && !cycled) {
                continue;
            }
            Set<Fault> faults = faultsOf.apply(entry.getValue());
            if (!faults.contains(Fault.VERSION_UNCHANGED)) {
                firmware.get(entry.getKey())[1] = entry.getValue();
            }
            bmcGone |= faults.contains(Fault.BMC_GONE);
            it.remove();
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
        gone = bmcGone;
        host.accept(cycled ? "PowerCycle" : type);
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
