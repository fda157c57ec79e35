package io.waveline.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The live event streams of a rollout share one database poll: the first subscriber who asks after the poll interval
 * reads what committed since (in the followers' order, {@link RolloutEvent#committedAfter}) into the rollout's feed,
 * and every subscriber at the feed's head takes its new events from there. A subscriber further behind (a new stream
 * with an older {@code after}) catches up with its own reads first. Fifty dashboards streaming one rollout cost one
 * query per interval, not fifty.
 */
@ApplicationScoped
public class EventFeeds {

    /** How often a feed reads the database while it has subscribers. */
    static final Duration INTERVAL = Duration.ofMillis(500);
    /** Events a feed keeps for subscribers that are a little behind its head. */
    static final int KEPT = 20_000;

    /** What a subscriber gets: its next events (in order) and whether the rollout is over. */
    record Batch(List<RolloutView.Event> events, boolean finished) {
    }

    private static final class Feed {
        final List<RolloutView.Event> kept = new ArrayList<>();
        final Map<Long, Integer> position = new HashMap<>();
        long head;
        long polledAt;
        boolean finished;
        /** Whether {@code kept} holds the rollout's events from its first one (nothing was dropped yet). */
        boolean fromStart = true;
        final java.util.concurrent.atomic.AtomicInteger subscribers = new java.util.concurrent.atomic.AtomicInteger();
    }

    private final Map<Long, Feed> feeds = new ConcurrentHashMap<>();

    /** The events after {@code after} (the last event id this subscriber took; 0: from the start) of rollout {@code id}. */
    Batch next(long id, long after) {
        Feed feed = feeds.get(id);
        if (feed == null) {
            return own(id, after);
        }
        synchronized (feed) {
            int at;
            if (after == feed.head) {
                at = feed.kept.size() - 1;
                if (System.nanoTime() - feed.polledAt >= INTERVAL.toNanos()) {
                    poll(id, feed);
                }
            } else if (feed.position.containsKey(after)) {
                at = feed.position.get(after);
            } else if (after == 0 && feed.fromStart) {
                at = -1;
            } else {
                return own(id, after);
            }
            return new Batch(new ArrayList<>(feed.kept.subList(at + 1, feed.kept.size())), feed.finished);
        }
    }

    private final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();

    /** How many times the streams read the database (shared polls and catch-up reads), since start. */
    public long polls() {
        return polls.get();
    }

    private void poll(long id, Feed feed) {
        Batch read = read(id, feed.head);
        feed.polledAt = System.nanoTime();
        for (RolloutView.Event event : read.events()) {
            feed.kept.add(event);
            feed.position.put(event.id(), feed.kept.size() - 1);
            feed.head = event.id();
        }
        // Over once the rollout is and its closing event is read (a later poll brings it when an older transaction held it back).
        feed.finished = read.finished() && !feed.kept.isEmpty() && CLOSING.contains(feed.kept.get(feed.kept.size() - 1).kind());
        if (feed.kept.size() > KEPT) {
            feed.fromStart = false;
            feed.kept.subList(0, feed.kept.size() - KEPT / 2).clear();
            feed.position.clear();
            for (int i = 0; i < feed.kept.size(); i++) {
                feed.position.put(feed.kept.get(i).id(), i);
            }
        }
    }

    /** The events that close a rollout ({@code rollout.} and its final state). */
    private static final java.util.Set<String> CLOSING = java.util.Set.of("rollout.succeeded", "rollout.failed", "rollout.rolled-back",
            "rollout.aborted");

    /** A subscriber behind the feed catches up with its own read. */
    private Batch own(long id, long after) {
        Batch read = read(id, after);
        List<RolloutView.Event> events = read.events();
        return new Batch(events, read.finished() && (events.isEmpty() || CLOSING.contains(events.get(events.size() - 1).kind())));
    }

    /**
     * The events after {@code after}, and whether the rollout is over. The rollout is read first: once it is over, every
     * one of its events has committed, and the read after takes them in.
     */
    private Batch read(long id, long after) {
        polls.incrementAndGet();
        return QuarkusTransaction.requiringNew().call(() -> {
            boolean over = ((Rollout) Rollout.findById(id)).finishedAt != null;
            return new Batch(RolloutEvent.committedAfter(id, after, 10_000).stream().map(RolloutView.Event::of).toList(), over);
        });
    }

    /** A stream of rollout {@code id} begins. */
    void subscribe(long id) {
        feeds.computeIfAbsent(id, k -> new Feed()).subscribers.incrementAndGet();
    }

    /** A stream of rollout {@code id} ended: the last one to leave drops the feed. */
    void unsubscribe(long id) {
        feeds.computeIfPresent(id, (k, feed) -> feed.subscribers.decrementAndGet() <= 0 ? null : feed);
    }
}
