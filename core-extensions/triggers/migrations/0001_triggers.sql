-- Triggers: automations that fire on a cron schedule, on matching events, or once at
-- a time. A firing is claimed by inserting its run with a unique fire key (trigger +
-- slot, trigger + event id, or the reminder), so several instances never fire it twice.
create table triggers (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  type text not null check (type in ('cron', 'event', 'reminder')),
  -- cron: {expression, timezone, missed}; event: {types, conditions}; reminder: {at}
  config jsonb not null,
  -- {kind: 'session', agent_id, prompt, config} or {kind: 'operation', method, path, body}
  action jsonb not null,
  enabled boolean not null default true,
  -- why it was disabled by the system (circuit breaker, a reminder that fired), if it was
  disabled_reason text,
  max_fires_per_hour integer not null default 60 check (max_fires_per_hour between 1 and 3600),
  consecutive_failures integer not null default 0,
  backoff_until timestamptz,
  -- cron and reminder: the pending job that fires the next slot, and its time; a job
  -- that is not this one (the trigger was edited) does nothing when it runs
  next_job_id uuid,
  next_run_at timestamptz,
  last_fired_at timestamptz,
  created_by uuid not null references actors (id),
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  unique (workspace_id, id)
);
create index triggers_workspace_created on triggers (workspace_id, created_at desc, id desc);
-- the event consumer looks up a workspace's enabled event triggers for every event
create index triggers_event_enabled on triggers (workspace_id) where type = 'event' and enabled;

create table triggers_runs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  trigger_id uuid not null,
  -- 'cron:<slot ISO time>', 'event:<event id>' or 'reminder'
  fire_key text not null,
  status text not null check (status in ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  -- why a run was skipped or failed (rate_limited, backing_off, missed, loop_guard, an error)
  reason text,
  event_id bigint,
  scheduled_for timestamptz,
  -- the action as rendered for this firing (prompt, path, body): what was asked, exactly
  action jsonb,
  session_id uuid,
  -- operation actions: the HTTP status and body of the call
  result jsonb,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  finished_at timestamptz,
  foreign key (workspace_id, trigger_id) references triggers (workspace_id, id) on delete cascade,
  constraint triggers_runs_once unique (trigger_id, fire_key)
);
create index triggers_runs_trigger_created on triggers_runs (trigger_id, created_at desc, id desc);
