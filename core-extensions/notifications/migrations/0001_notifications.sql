-- Notifications for humans (and agents): one row per notification, addressed to one
-- target actor. `status` moves pending -> seen -> resolved | dismissed; "unread" is
-- status = 'pending', so unread counts are a count over this table, never a stored
-- counter that concurrent marks could skew. `answer` is written once (the respond
-- route's conditional update is the only writer).
create table notifications (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  type text not null check (type in ('needs_input', 'recommendation', 'good_news', 'alert')),
  status text not null default 'pending' check (status in ('pending', 'seen', 'resolved', 'dismissed')),
  target_actor_id uuid not null references actors (id) on delete cascade,
  source_actor_id uuid references actors (id) on delete set null,
  title text not null,
  content text not null default '',
  object_id uuid,
  metadata jsonb not null default '{}'::jsonb,
  answer jsonb,
  answered_by uuid references actors (id) on delete set null,
  answered_at timestamptz,
  seen_at timestamptz,
  emailed_at timestamptz,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  -- The object it is about stays in its workspace; deleting the object keeps the
  -- notification and clears only object_id (PostgreSQL 15's column list).
  foreign key (workspace_id, object_id) references objects (workspace_id, id) on delete set null (object_id)
);
create index notifications_target on notifications (workspace_id, target_actor_id, created_at desc, id desc);
create index notifications_source on notifications (workspace_id, source_actor_id, created_at desc, id desc);
create index notifications_unread on notifications (workspace_id, target_actor_id, type) where status = 'pending';

-- Per-person delivery preferences (per workspace). Absent row = the defaults.
create table notifications_preferences (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  email_types text[] not null,
  digest text not null check (digest in ('daily', 'off')),
  last_digest_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (workspace_id, actor_id)
);
