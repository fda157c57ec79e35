package io.waveline.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Completes the generated OpenAPI document (registered with {@code mp.openapi.filter}) so that it says how to call
 * each operation: the security each one needs (a bearer token for {@code /api}, Slack's signature or Mattermost's
 * token for the chat endpoints), an operationId for every operation (from its method and path where the code gives
 * none), the problem+json body of every 4xx answer, a server and the tags' descriptions. Redocly's recommended
 * rules lint the live document in {@code .ci/run}.
 */
public class OpenApiDocument implements OASFilter {

    static final String BEARER = "bearer";
    static final String SLACK = "slackSignature";
    static final String MATTERMOST = "mattermostToken";

    private static final Map<String, String> TAGS = Map.of(
            "Fleet", "The nodes the inventory sources report, and the sources themselves",
            "Plans", "Rollout plans: list, read, validate and preview against the fleet",
            "Rollouts", "Start rollouts, follow them (state, events, live stream) and command them",
            "Notifications", "The notification sinks and their counters",
            "System", "This replica: its clock, the database's size and what the retention keeps",
            "ChatOps", "Slack and Mattermost slash commands and buttons, authenticated by the platform's signature or token");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(BEARER, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").description("A token of waveline.auth.tokens (its role decides what it may do: viewer,"
                        + " operator, approver, admin)"));
        openAPI.getComponents().addSecurityScheme(SLACK, OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER).name("X-Slack-Signature")
                .description("Slack's v0 HMAC-SHA256 signature with X-Slack-Request-Timestamp (within 5 minutes)"));
        openAPI.getComponents().addSecurityScheme(MATTERMOST, OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER).name("Authorization")
                .description("Token <the slash command's token> (waveline.chatops.mattermost.token)"));
        openAPI.getComponents().addSchema("Problem", problemSchema());
        if (openAPI.getServers() == null || openAPI.getServers().isEmpty()) {
            openAPI.addServer(OASFactory.createServer().url("http://localhost:8080")
                    .description("the demo; use your deployment's address"));
        }
        if (openAPI.getTags() != null) {
            openAPI.getTags().forEach(tag -> tag.setDescription(TAGS.getOrDefault(tag.getName(), tag.getDescription())));
        }
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) ->
                complete(path, method, operation)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        String scheme = path.startsWith("/chatops/slack") ? SLACK : path.startsWith("/chatops/mattermost") ? MATTERMOST : BEARER;
        operation.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(scheme)));
        if (operation.getOperationId() == null || operation.getOperationId().isBlank()) {
            operation.setOperationId(operationId(path, method));
        }
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        if (scheme.equals(BEARER)) {
            problem(operation, "401", "no bearer token, or one Waveline does not know");
            problem(operation, "403", "the token's role does not cover this operation");
        } else {
            problem(operation, "401", "the request is not signed by the platform (or its token does not match)");
            problem(operation, "400", "the request is not what the platform sends (a command that changes a rollout without"
                    + " trigger_id, a payload that is not a button click)");
        }
        operation.getResponses().getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") && (response.getContent() == null || response.getContent().getMediaTypes().isEmpty())) {
                response.setContent(problemContent());
            }
        });
    }

    /** {@code GET /api/v1/rollouts/{id}/events} → {@code getRolloutsIdEvents}. */
    static String operationId(String path, PathItem.HttpMethod method) {
        StringBuilder id = new StringBuilder(method.name().toLowerCase(Locale.ROOT));
        for (String segment : path.replaceFirst("^/api/v1/", "/").split("/")) {
            String word = segment.replaceAll("[{}]", "");
            if (!word.isEmpty()) {
                id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return id.toString();
    }

    private static void problem(Operation operation, String code, String description) {
        if (operation.getResponses().getAPIResponse(code) == null) {
            APIResponse response = OASFactory.createAPIResponse().description(description).content(problemContent());
            operation.getResponses().addAPIResponse(code, response);
        } else if (operation.getResponses().getAPIResponse(code).getDescription() == null
                || operation.getResponses().getAPIResponse(code).getDescription().isBlank()) {
            operation.getResponses().getAPIResponse(code).setDescription(description);
        }
    }

    private static org.eclipse.microprofile.openapi.models.media.Content problemContent() {
        return OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/Problem")));
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details; for an invalid plan, errors lists every error with file, line, column"
                        + " and field path")
                .addProperty("type", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("title", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("status", OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("instance", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("errors", OASFactory.createSchema().type(List.of(Schema.SchemaType.ARRAY))
                        .items(OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))));
    }
}
