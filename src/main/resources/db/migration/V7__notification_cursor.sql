-- How far the notifier has read the event log. One row; replicas advance it with compare-and-set, so each event
-- is notified by exactly one of them.
create table notification_cursor (
    id integer primary key,
    last_event_id bigint not null
);
