-- Durable subscriptions to the event log (kernel/events/subscriptions/).
--
-- A consumer is `<extension id>:<name>`. Its first registration is recorded here, and
-- in the same statement it gets a cursor at the current end of every existing
-- workspace's log: a new consumer starts from its creation point, while a workspace
-- created later (no cursor row yet) is delivered from its first event.
create table event_subscription_consumers (
  consumer text primary key,
  registered_at timestamptz not null default now()
);

-- One row per consumer and workspace (events' sequence scope). Delivery locks this row
-- (FOR UPDATE SKIP LOCKED) for one event, so one instance delivers a consumer's events
-- of a workspace at a time; the handler's writes and the new last_id commit together.
create table event_subscription_cursors (
  consumer text not null references event_subscription_consumers (consumer) on delete cascade,
  scope uuid not null references workspaces (id) on delete cascade,
  last_id bigint not null,
  -- Failed attempts at failing_event_id, and when the next one may run.
  attempts integer not null default 0,
  failing_event_id bigint,
  retry_at timestamptz,
  last_error text,
  updated_at timestamptz not null default now(),
  primary key (consumer, scope)
);

-- Events whose handler kept failing: parked so the consumer moves on; admins list them.
create table event_dead_letters (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  extension_id text not null,
  consumer text not null,
  event_id bigint not null,
  event_type text not null,
  attempts integer not null,
  last_error text not null,
  parked_at timestamptz not null default now(),
  unique (consumer, workspace_id, event_id)
);
create index event_dead_letters_by_workspace on event_dead_letters (workspace_id, id);
