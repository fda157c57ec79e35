package io.waveline.plan;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * When new nodes may start: on the given days, from start to end in the zone. An end at or before the start
 * means the window runs past midnight into the next day. A node that started inside a window may finish
 * after it closes.
 */
public record MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {

    public boolean crossesMidnight() {
        return !end.isAfter(start);
    }

    public boolean isOpen(ZonedDateTime instant) {
        ZonedDateTime local = instant.withZoneSameInstant(zone);
        LocalTime time = local.toLocalTime();
        if (!crossesMidnight()) {
            return days.contains(local.getDayOfWeek()) && !time.isBefore(start) && time.isBefore(end);
        }
        boolean inTodaysOpening = days.contains(local.getDayOfWeek()) && !time.isBefore(start);
        boolean inYesterdaysOpening = days.contains(local.getDayOfWeek().minus(1)) && time.isBefore(end);
        return inTodaysOpening || inYesterdaysOpening;
    }

    /** The first instant at or after {@code from} when this window is open. */
    public ZonedDateTime nextOpening(ZonedDateTime from) {
        if (isOpen(from)) {
            return from;
        }
        ZonedDateTime local = from.withZoneSameInstant(zone);
        for (int day = 0; day <= 7; day++) {
            ZonedDateTime candidate = local.toLocalDate().plusDays(day).atTime(start).atZone(zone);
            if (!candidate.isBefore(local) && days.contains(candidate.getDayOfWeek())) {
                return candidate;
            }
        }
        throw new IllegalStateException("a window with days " + days + " never opens");
    }
}
