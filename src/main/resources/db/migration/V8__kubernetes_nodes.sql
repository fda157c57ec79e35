-- Kubernetes nodes: the plan's drain settings frozen per node run, the allocatable GPUs before the upgrade, and a
-- line on what the node waits for (training jobs, pods left to evict).
alter table node_run add column drain jsonb;
alter table node_run add column baseline_allocatable integer;
alter table node_run add column progress text;
-- How the node is upgraded: ssh (packages over SSH) or gpu-operator (through the NVIDIA GPU Operator).
alter table node_run add column method text not null default 'ssh';
-- The plan's method settings (the redfish method's image URI, transfer protocol).
alter table node_run add column method_settings jsonb;
