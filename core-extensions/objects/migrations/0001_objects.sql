-- Work objects: insights, bets, tasks and custom types. Timestamps are kept at
-- millisecond precision so that keyset cursors (built from JavaScript dates) compare
-- exactly with the stored values.
create table objects (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  type text not null,
  title text not null,
  content text not null default '',
  status text not null,
  metadata jsonb not null default '{}'::jsonb,
  driver_id uuid references actors (id) on delete set null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  version integer not null default 1,
  -- Full-text search over the title (weight A), content (B) and the string values of
  -- metadata (C). A stored generated column (PostgreSQL 12+) keeps it in step with
  -- every write without triggers; the explicit regconfig makes it immutable.
  search tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, content), 'B') ||
    setweight(jsonb_to_tsvector('english'::regconfig, metadata, '["string"]'::jsonb), 'C')
  ) stored,
  -- Lets relationships reference (workspace_id, id) so an edge can never join two workspaces.
  unique (workspace_id, id)
);
create index objects_workspace_updated on objects (workspace_id, updated_at desc, id);
create index objects_workspace_created on objects (workspace_id, created_at desc, id);
create index objects_workspace_type_status on objects (workspace_id, type, status);
create index objects_search on objects using gin (search);
