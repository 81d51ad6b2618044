-- Typed edges between objects. The table is relationships' own; it references the
-- objects table (installed first: relationships requires objects) by the composite
-- (workspace_id, id), so an edge can never join objects of two workspaces, and
-- ON DELETE CASCADE keeps edges from dangling even if an object is removed by a path
-- that skipped the objects delete hook (the hook exists so each removal writes an event).
create table relationships (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  type text not null,
  source_id uuid not null,
  target_id uuid not null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  foreign key (workspace_id, source_id) references objects (workspace_id, id) on delete cascade,
  foreign key (workspace_id, target_id) references objects (workspace_id, id) on delete cascade,
  constraint relationships_unique unique (workspace_id, source_id, target_id, type),
  constraint relationships_not_self check (source_id <> target_id)
);
create index relationships_target on relationships (workspace_id, target_id);
create index relationships_workspace_created on relationships (workspace_id, created_at desc, id desc);
