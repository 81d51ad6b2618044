-- Comments on objects, threaded by parent_id. The composite foreign key keeps a
-- comment in its object's workspace (objects' unique (workspace_id, id)) and removes
-- comments with their object. A deleted comment stays as a tombstone (body cleared,
-- deleted_at set) so replies keep their thread.
create table comments (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  object_id uuid not null,
  parent_id uuid references comments (id) on delete cascade,
  author_id uuid references actors (id) on delete set null,
  body text not null,
  mentions uuid[] not null default '{}',
  edited_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  foreign key (workspace_id, object_id) references objects (workspace_id, id) on delete cascade
);
create index comments_object on comments (workspace_id, object_id, created_at, id);
create index comments_parent on comments (parent_id);
