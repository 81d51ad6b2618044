-- Who wants to hear about what: an actor subscribes to one object, to every object of
-- a type, or to an event type ('*': every event). `reason` says how it came to be
-- (manual, or automatic for an object's creator and driver). One row per actor and
-- target, so subscribing twice changes nothing.
create table subscriptions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  kind text not null check (kind in ('object', 'object_type', 'event_type')),
  target text not null,
  reason text not null check (reason in ('manual', 'creator', 'driver')),
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  unique (workspace_id, actor_id, kind, target)
);
create index subscriptions_target on subscriptions (workspace_id, kind, target);
create index subscriptions_actor on subscriptions (workspace_id, actor_id, created_at desc, id desc);
