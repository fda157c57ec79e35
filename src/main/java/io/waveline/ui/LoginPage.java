package io.waveline.ui;

import java.net.URI;
import java.util.Optional;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.waveline.api.DashboardSessions;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

/**
 * The dashboard's login: a token, given once in a form (a POST body, never a URL), opens a session
 * ({@link DashboardSessions}) held in an HttpOnly, SameSite=Strict cookie. Open to everyone: it is how one logs in.
 */
@Path("/")
@PermitAll
public class LoginPage {

    @Inject
    DashboardSessions sessions;

    @Inject
    @Location("ui/login.html")
    Template login;

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/ui/rollouts")).build();
    }

    @GET
    @Path("ui/login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance form() {
        return login.data("error", null);
    }

    @POST
    @Path("ui/login")
    @Produces(MediaType.TEXT_HTML)
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logIn(@FormParam("token") String token, HttpServerRequest request) {
        Optional<String> session = sessions.open(token);
        if (session.isEmpty()) {
            return Response.status(401).entity(login.data("error", "That token is not known: use a token of waveline.auth.tokens"
                    + " (or the demo's admin token)")).type(MediaType.TEXT_HTML).build();
        }
        NewCookie cookie = new NewCookie.Builder(DashboardSessions.COOKIE).value(session.get()).path("/").httpOnly(true)
                .secure(request.isSSL()).sameSite(NewCookie.SameSite.STRICT).maxAge((int) sessions.ttl().toSeconds()).build();
        return Response.seeOther(URI.create("/ui/rollouts")).cookie(cookie).build();
    }

    @POST
    @Path("ui/logout")
    public Response logOut(@CookieParam(DashboardSessions.COOKIE) String session) {
        sessions.close(session);
        NewCookie gone = new NewCookie.Builder(DashboardSessions.COOKIE).value("").path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(0).build();
        return Response.seeOther(URI.create("/ui/login")).cookie(gone).build();
    }
}
