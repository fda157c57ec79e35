-- What a method needs to find its install again after a restart (the redfish method's update task URIs), and which
-- reset of the method's escalation (graceful, then forced; or a power cycle) the node is waiting on.
alter table node_run add column job_handle text;
alter table node_run add column reset_step integer not null default 0;
