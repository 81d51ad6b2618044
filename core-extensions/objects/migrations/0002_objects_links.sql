-- Links: a record of another extension (a session, a file, a comment) attached to an
-- object. One table for every attacher, so objects needs no hook per attacher. The
-- record is namespaced by the linking extension's id (its record ids are its own);
-- the composite foreign key keeps a link inside its object's workspace and removes
-- it with the object (objects also deletes them itself first, to record events and
-- tell the linkers).
create table objects_links (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  object_id uuid not null,
  extension_id text not null,
  record_type text not null,
  record_id text not null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  foreign key (workspace_id, object_id) references objects (workspace_id, id) on delete cascade,
  unique (workspace_id, object_id, extension_id, record_type, record_id)
);
create index objects_links_by_object on objects_links (workspace_id, object_id, created_at desc, id desc);
create index objects_links_by_record on objects_links (workspace_id, extension_id, record_type, record_id);
