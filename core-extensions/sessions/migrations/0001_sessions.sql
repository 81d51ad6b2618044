-- Agent sessions (core-extensions/sessions). Every table carries workspace_id and every
-- query filters by it.

-- The runtime profile of an agent in a workspace, edited by the workspace's admins.
-- Keyed by (workspace, agent): an agent in two workspaces has a profile in each, so
-- one workspace's admins never set the secrets another workspace's sessions run with.
create table sessions_agent_profiles (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  runtime text not null check (runtime in ('claude-code', 'codex', 'custom')),
  -- custom runtimes only: the argv (never a shell string)
  command jsonb,
  model text,
  system_prompt text,
  mcp_servers jsonb not null default '{}'::jsonb,
  -- { NAME: ciphertext } (secretsRef, AES-256-GCM); values are never returned
  env_ciphertext jsonb not null default '{}'::jsonb,
  max_concurrent_sessions integer,
  monthly_budget_usd numeric(12, 4),
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, actor_id)
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  created_by uuid references actors (id) on delete set null,
  trigger_id uuid,
  parent_session_id uuid references sessions (id) on delete set null,
  status text not null check (status in
    ('pending', 'queued', 'starting', 'running', 'paused', 'completed', 'failed', 'timeout', 'stopped')),
  prompt text not null,
  config jsonb not null default '{}'::jsonb,
  reason text,
  -- a pause the owning instance has been asked to carry out
  pause_requested boolean not null default false,
  -- the server process that runs it (sessions_instances), while starting/running
  instance_id uuid,
  pid integer,
  api_key_id uuid,
  runtime_session_id text,
  snapshot_key text,
  resume_count integer not null default 0,
  queued_at timestamptz,
  started_at timestamptz,
  deadline_at timestamptz,
  ended_at timestamptz,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_creation_tokens bigint not null default 0,
  cost_usd numeric(14, 6) not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sessions_list on sessions (workspace_id, created_at desc, id desc);
create index sessions_queue on sessions (workspace_id, queued_at, id) where status = 'queued';
create index sessions_active on sessions (instance_id) where status in ('starting', 'running');

-- Server processes that run sessions; a row whose heartbeat is stale is a dead instance.
create table sessions_instances (
  id uuid primary key,
  host text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);

-- Log lines, ids from sessions_log_counters (streamsRef: commit-ordered per scope).
create table sessions_log_counters (
  scope text primary key,
  last_id bigint not null
);
create table sessions_log_lines (
  scope text not null,
  id bigint not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid not null references sessions (id) on delete cascade,
  stream text not null check (stream in ('stdout', 'stderr', 'system')),
  -- 'line', or 'done' for the last line of a session (its final status in text)
  kind text not null default 'line',
  text text not null,
  created_at timestamptz not null default now(),
  primary key (scope, id)
);
create index sessions_log_lines_session on sessions_log_lines (session_id, id);

-- Messages for interactive sessions, delivered to the process's stdin by its instance.
create table sessions_inputs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid not null references sessions (id) on delete cascade,
  text text not null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index sessions_inputs_pending on sessions_inputs (session_id, created_at) where delivered_at is null;

-- Usage as recorded (one row per report), bucketed on read.
create table sessions_usage (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid not null references sessions (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  model text,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_creation_tokens bigint not null default 0,
  cost_usd numeric(14, 6) not null default 0,
  recorded_at timestamptz not null default now()
);
create index sessions_usage_time on sessions_usage (workspace_id, recorded_at);
create index sessions_usage_actor on sessions_usage (workspace_id, actor_id, recorded_at);
