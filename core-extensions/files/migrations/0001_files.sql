-- Files: the metadata of uploaded bytes (the bytes live in the blob store under
-- files/<id>). `sha256` is computed while the upload streams and is the download's
-- ETag. `object_id` is the optional attachment (also recorded as an objects link);
-- deleting the object clears it, never the file.
create table files (
  id uuid primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  content_type text not null,
  declared_type text,
  size bigint not null,
  sha256 text not null,
  object_id uuid,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  foreign key (workspace_id, object_id) references objects (workspace_id, id) on delete set null (object_id)
);
create index files_workspace_created on files (workspace_id, created_at desc, id desc);
create index files_workspace_object on files (workspace_id, object_id, created_at desc, id desc) where object_id is not null;
