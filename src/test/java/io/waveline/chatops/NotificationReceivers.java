package io.waveline.chatops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Local HTTP receivers for everything Waveline sends out, started before the application: {@code /good},
 * {@code /slack}, {@code /mattermost} and {@code /response} record each body and answer 200; {@code /fail} answers
 * 500; {@code /hang} never answers (until the tests end). {@code GET /captured/<name>} gives a receiver's bodies as a
 * JSON array and {@code GET /hanging} how many requests {@code /hang} holds, so tests read them over HTTP.
 */
public class NotificationReceivers implements QuarkusTestResourceLifecycleManager {

    private HttpServer server;
    private ExecutorService threads;
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, List<String>> captured = new ConcurrentHashMap<>();
    private final AtomicInteger hanging = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        for (String name : List.of("good", "slack", "mattermost", "response")) {
            server.createContext("/" + name, exchange -> {
                captured.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(body(exchange));
                answer(exchange, 200, "ok");
            });
        }
        server.createContext("/fail", exchange -> {
            body(exchange);
            answer(exchange, 500, "broken");
        });
        server.createContext("/hang", exchange -> {
            body(exchange);
            hanging.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, "late");
        });
        server.createContext("/captured/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/captured/".length());
            answer(exchange, 200, "[" + String.join(",", captured.getOrDefault(name, List.of())) + "]");
        });
        server.createContext("/hanging", exchange -> answer(exchange, 200, Integer.toString(hanging.get())));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("waveline.notify.webhook.url", base + "/good," + base + "/hang," + base + "/fail",
                "waveline.notify.slack.webhook-url", base + "/slack",
                "waveline.notify.mattermost.webhook-url", base + "/mattermost",
                "waveline.test.receivers", base);
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
