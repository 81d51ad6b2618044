-- An import: a stored file (files extension), what the preview found in it, the
-- mapping to objects, and the run's checkpoint. `last_row` is the last data row whose
-- effects (objects, relationships, error rows, counters) are committed: each batch
-- moves it forward in the same transaction as its writes, and only from the value it
-- started at, so a resumed or concurrent run can never write a row twice.
create table imports (
  id uuid primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  file_id uuid not null,
  file_name text not null,
  status text not null,
  format text not null,
  encoding text not null,
  delimiter text,
  columns jsonb not null,
  sample_rows jsonb not null,
  row_count integer not null,
  mapping jsonb not null,
  job_id uuid,
  last_row integer not null default 0,
  imported_rows integer not null default 0,
  failed_rows integer not null default 0,
  created_objects integer not null default 0,
  created_relationships integer not null default 0,
  failure text,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  finished_at timestamptz
);
create index imports_workspace_created on imports (workspace_id, created_at desc, id desc);

-- Rows that could not be imported, with the file line, at most one per row.
create table imports_errors (
  import_id uuid not null references imports (id) on delete cascade,
  row_number integer not null,
  line integer not null,
  message text not null,
  details jsonb not null default '[]'::jsonb,
  primary key (import_id, row_number)
);
