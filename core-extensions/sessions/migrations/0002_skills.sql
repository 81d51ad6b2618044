-- Skills: a workspace library of SKILL.md files (with optional extra files), versioned,
-- attached to agent actors. A version is immutable: each update adds the next number,
-- so a session that pinned version 3 reads exactly what was reviewed. An attachment
-- with pinned_version null follows the latest version.
-- Composite keys with workspace_id make it impossible for a version or an attachment
-- to point at another workspace's skill.
create table sessions_skills (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  description text not null,
  latest_version integer not null check (latest_version >= 1),
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint sessions_skills_name_unique unique (workspace_id, name),
  constraint sessions_skills_workspace_id_unique unique (workspace_id, id)
);

create table sessions_skill_versions (
  workspace_id uuid not null,
  skill_id uuid not null,
  version integer not null check (version >= 1),
  description text not null,
  content text not null,
  files jsonb not null default '[]'::jsonb,
  size_bytes integer not null,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint sessions_skill_versions_pk primary key (skill_id, version),
  constraint sessions_skill_versions_skill_fk foreign key (workspace_id, skill_id)
    references sessions_skills (workspace_id, id) on delete cascade
);

create table sessions_skill_attachments (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  skill_id uuid not null,
  pinned_version integer,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint sessions_skill_attachments_pk primary key (workspace_id, actor_id, skill_id),
  constraint sessions_skill_attachments_skill_fk foreign key (workspace_id, skill_id)
    references sessions_skills (workspace_id, id) on delete cascade,
  constraint sessions_skill_attachments_version_fk foreign key (skill_id, pinned_version)
    references sessions_skill_versions (skill_id, version) on delete cascade
);
create index sessions_skill_attachments_by_skill on sessions_skill_attachments (workspace_id, skill_id);
