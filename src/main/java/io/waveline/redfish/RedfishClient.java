package io.waveline.redfish;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A BMC's Redfish service, as far as firmware rollouts need it: the firmware inventory
 * ({@code /redfish/v1/UpdateService/FirmwareInventory}), {@code UpdateService.SimpleUpdate} with an image URI, the
 * task it returns ({@code TaskService}), and {@code ComputerSystem.Reset}. TLS is verified against the configured CA
 * only (a BMC's self-signed certificate is refused unless its CA is given); credentials go as HTTP basic auth.
 */
public final class RedfishClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    /** One firmware component as the BMC reports it. */
    public record Firmware(String id, String name, String version, boolean updateable) {
    }

    /** A Redfish task: its state ({@code New}, {@code Running}, {@code Completed}, {@code Exception}, …), progress and messages. */
    public record Task(String uri, String state, Optional<Integer> percent, List<String> messages) {

        public boolean done() {
            return List.of("Completed", "Exception", "Killed", "Cancelled", "Interrupted").contains(state);
        }

        public boolean succeeded() {
            return state.equals("Completed");
        }
    }

    /** A refused or failed Redfish call. */
    public static final class RedfishException extends Exception {
        public RedfishException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public RedfishClient(URI base, String user, String password, SSLContext tls, Duration timeout) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(timeout).build();
    }

    /** Trusts exactly the certificates in a PEM file (the BMCs' CA). */
    public static SSLContext trusting(String pem) throws GeneralSecurityException, IOException {
        Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the CA file");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Trusts any certificate: for {@code verify-tls=false} only, which the caller logs loudly. Anyone on the path can then
     * read the credentials and forge answers.
     */
    public static SSLContext trustingAnything() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        return context;
    }

    private JsonNode get(String path) throws RedfishException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path)).GET());
        if (response.statusCode() != 200) {
            throw new RedfishException("GET " + path + " answered " + response.statusCode(), null);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RedfishException("GET " + path + " did not answer JSON", e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws RedfishException {
        try {
            return http.send(request.header("Authorization", authorization).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RedfishException("cannot reach the BMC at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedfishException("interrupted", e);
        }
    }

    public List<Firmware> firmwareInventory() throws RedfishException {
        List<Firmware> firmware = new ArrayList<>();
        for (JsonNode member : get("/redfish/v1/UpdateService/FirmwareInventory").path("Members")) {
            JsonNode item = get(member.path("@odata.id").asText());
            firmware.add(new Firmware(item.path("Id").asText(), item.path("Name").asText(), item.path("Version").asText(),
                    item.path("Updateable").asBoolean(false)));
        }
        return firmware;
    }

    /** Starts {@code SimpleUpdate} of the image at {@code imageUri} for the given inventory members; answers the task's URI. */
    public String simpleUpdate(String imageUri, String transferProtocol, List<String> targets) throws RedfishException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ImageURI", imageUri);
        body.put("TransferProtocol", transferProtocol);
        body.put("Targets", targets.stream().map(t -> "/redfish/v1/UpdateService/FirmwareInventory/" + t).toList());
        return taskOf(post("/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate", body), "SimpleUpdate");
    }

    /**
     * Pushes an image file to the BMC's {@code MultipartHttpPushUri} ({@code UpdateParameters} with the targets, applied
     * on the next reset, and {@code UpdateFile}); answers the task's URI.
     */
    public String multipartPush(java.nio.file.Path image, List<String> targets) throws RedfishException {
        String pushUri = get("/redfish/v1/UpdateService").path("MultipartHttpPushUri").asText("");
        if (pushUri.isEmpty()) {
            throw new RedfishException("the BMC offers no multipart push (UpdateService has no MultipartHttpPushUri); use"
                    + " method.imageUri (SimpleUpdate) instead", null);
        }
        String boundary = "waveline-" + java.util.UUID.randomUUID();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("Targets", targets.stream().map(t -> "/redfish/v1/UpdateService/FirmwareInventory/" + t).toList());
        parameters.put("@Redfish.OperationApplyTime", "OnReset");
        HttpResponse<String> response;
        try {
            String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"UpdateParameters\"\r\n"
                    + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(parameters) + "\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"UpdateFile\"; filename=\"" + image.getFileName()
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
            String tail = "\r\n--" + boundary + "--\r\n";
            response = send(HttpRequest.newBuilder(base.resolve(pushUri)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                            HttpRequest.BodyPublishers.ofFile(image), HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new RedfishException("cannot read the image " + image + ": " + e.getMessage(), e);
        }
        return taskOf(response, "multipart push of " + image.getFileName());
    }

    private static String taskOf(HttpResponse<String> response, String what) throws RedfishException {
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            throw new RedfishException(what + " answered " + response.statusCode() + ": " + response.body(), null);
        }
        Optional<String> location = response.headers().firstValue("Location");
        if (location.isPresent()) {
            return URI.create(location.get()).getPath();
        }
        try {
            String task = JSON.readTree(response.body()).path("@odata.id").asText("");
            if (task.isEmpty()) {
                throw new RedfishException(what + " named no task (no Location header, no @odata.id)", null);
            }
            return task;
        } catch (IOException e) {
            throw new RedfishException(what + " named no task", e);
        }
    }

    /**
     * A task of this BMC still running an update from {@code imageUri} (its {@code Payload.JsonBody} names the image),
     * so an update Waveline requested just before a crash is followed instead of requested again. Finished tasks are
     * never taken (they may be an earlier rollout's). Empty when none, or when the BMC does not report task payloads.
     */
    public Optional<String> taskFor(String imageUri) throws RedfishException {
        for (JsonNode member : get("/redfish/v1/TaskService/Tasks").path("Members")) {
            String uri = member.path("@odata.id").asText("");
            JsonNode task = get(uri);
            String body = task.path("Payload").path("JsonBody").asText("");
            String state = task.path("TaskState").asText("");
            if (!body.isEmpty() && List.of("New", "Starting", "Running", "Pending").contains(state)) {
                try {
                    if (imageUri.equals(JSON.readTree(body).path("ImageURI").asText())) {
                        return Optional.of(uri);
                    }
                } catch (IOException e) {
                    // a payload that is not JSON names no image
                }
            }
        }
        return Optional.empty();
    }

    public Task task(String uri) throws RedfishException {
        JsonNode task = get(uri);
        List<String> messages = new ArrayList<>();
        task.path("Messages").forEach(m -> messages.add(m.path("Message").asText(m.path("MessageId").asText())));
        return new Task(uri, task.path("TaskState").asText("Unknown"),
                task.has("PercentComplete") ? Optional.of(task.path("PercentComplete").asInt()) : Optional.empty(), messages);
    }

    /**
     * The reset types the system offers: {@code ResetType@Redfish.AllowableValues} of its reset action, or the
     * {@code ResetType} parameter of the action's {@code @Redfish.ActionInfo}; empty when the BMC does not say.
     */
    public List<String> resetTypes(String system) throws RedfishException {
        JsonNode action = get("/redfish/v1/Systems/" + system).path("Actions").path("#ComputerSystem.Reset");
        List<String> types = new ArrayList<>();
        action.path("ResetType@Redfish.AllowableValues").forEach(t -> types.add(t.asText()));
        String info = action.path("@Redfish.ActionInfo").asText("");
        if (types.isEmpty() && !info.isEmpty()) {
            for (JsonNode parameter : get(info).path("Parameters")) {
                if (parameter.path("Name").asText("").equals("ResetType")) {
                    parameter.path("AllowableValues").forEach(t -> types.add(t.asText()));
                }
            }
        }
        return types;
    }

    /** {@code ComputerSystem.Reset} ({@code GracefulRestart}, {@code ForceRestart}, {@code PowerCycle}, …). */
    public void reset(String system, String resetType) throws RedfishException {
        HttpResponse<String> response = post("/redfish/v1/Systems/" + system + "/Actions/ComputerSystem.Reset", Map.of("ResetType", resetType));
        if (response.statusCode() >= 300) {
            throw new RedfishException("Reset " + resetType + " answered " + response.statusCode() + ": " + response.body(), null);
        }
    }

    private HttpResponse<String> post(String path, Map<String, Object> body) throws RedfishException {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RedfishException("cannot write the request", e);
        }
    }
}
