-- The GPU baseline taken before a node is touched, and the burn-in (heavy checks) bookkeeping.
alter table node_run add column baseline jsonb;
alter table node_run add column burn_in_admitted_at timestamptz;
alter table node_run add column heavy_check integer not null default 0;
alter table node_run add column check_started_at timestamptz;

-- Wave-level checks: when the XID scan after the wave and at the end of its soak ran.
alter table rollout_wave add column checked_after_wave_at timestamptz;
alter table rollout_wave add column checked_after_soak_at timestamptz;
