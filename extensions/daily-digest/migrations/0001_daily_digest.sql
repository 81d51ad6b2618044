-- A compiled digest of one workspace's object activity. `job_id` is unique so a
-- retried compile job finds the digest its earlier attempt committed (at least once
-- jobs, one digest per job).
create table daily_digest (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  job_id uuid not null unique,
  item_count integer not null,
  recipients jsonb not null default '[]'::jsonb,
  insight_id uuid,
  delivered_at timestamptz,
  acknowledged_at timestamptz,
  created_at timestamptz not null default now()
);
create index daily_digest_workspace_created on daily_digest (workspace_id, created_at desc, id desc);

-- One row per object event collected by the subscription; `digest_id` is null while
-- the item waits for the next digest. (workspace_id, event_id) is unique: an event
-- is collected once.
create table daily_digest_items (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  event_id bigint not null,
  event_type text not null,
  object_id uuid not null,
  summary text not null default '',
  digest_id uuid references daily_digest (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (workspace_id, event_id)
);
create index daily_digest_items_pending on daily_digest_items (workspace_id, event_id) where digest_id is null;
create index daily_digest_items_digest on daily_digest_items (digest_id);
create index daily_digest_items_object on daily_digest_items (workspace_id, object_id);

-- The pending scheduled compile job of each workspace (so a settings change or a
-- re-enable replaces it instead of starting a second chain).
create table daily_digest_schedules (
  workspace_id uuid primary key references workspaces (id) on delete cascade,
  job_id uuid not null,
  run_at timestamptz not null
);

-- Progress lines of compile runs, streamed over SSE; ids come from the counter table
-- (one row per scope = workspace id), so they are commit-ordered.
create table daily_digest_progress (
  scope text not null,
  id bigint not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  job_id uuid not null,
  text text not null,
  created_at timestamptz not null default now(),
  primary key (scope, id)
);

create table daily_digest_progress_counters (
  scope text primary key,
  last_id bigint not null
);
