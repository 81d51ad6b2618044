-- The kernel's own tables: actors and their API keys, workspaces and members,
-- the event log, and the idempotency ledger.

create table actors (
  id uuid primary key default gen_random_uuid(),
  type text not null check (type in ('human', 'agent')),
  name text not null,
  email text,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index actors_email_unique on actors (lower(email)) where email is not null;

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  settings jsonb not null default '{}'::jsonb,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table workspace_members (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, actor_id)
);
create index workspace_members_actor on workspace_members (actor_id);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  actor_id uuid not null references actors (id) on delete cascade,
  name text not null,
  key_hash text not null unique,
  -- The first characters of the key, safe to show so a person can tell keys apart.
  display_prefix text not null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_actor on api_keys (actor_id, created_at);

-- Event ids are allocated per workspace from a counter row that the writing
-- transaction locks until it commits: ids therefore become visible in commit order
-- (see kernel/events/record-event.ts). Account-level events (no workspace) use the
-- nil uuid as their sequence scope.
create table event_sequences (
  scope uuid primary key,
  last_id bigint not null
);

create table events (
  scope uuid not null,
  id bigint not null,
  workspace_id uuid references workspaces (id) on delete cascade,
  type text not null,
  actor_id uuid,
  entity_type text not null,
  entity_id text,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  primary key (scope, id)
);
create index events_workspace_type on events (scope, type, id);
create index events_workspace_entity on events (scope, entity_type, entity_id, id);

create table idempotency_keys (
  api_key_id uuid not null,
  method text not null,
  route text not null,
  key text not null,
  request_hash text not null,
  state text not null check (state in ('running', 'done')),
  response_status integer,
  response_body text,
  response_content_type text,
  created_at timestamptz not null default now(),
  primary key (api_key_id, method, route, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
