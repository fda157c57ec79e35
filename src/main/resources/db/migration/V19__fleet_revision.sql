-- One row: a number every store of the fleet inventory raises in its own transaction, so that each replica can keep
-- the fleet it read last and know, with one cheap query, whether it is still what the database holds.
create table fleet_revision (
    id integer primary key check (id = 1),
    revision bigint not null
);
insert into fleet_revision (id, revision) values (1, 0);
