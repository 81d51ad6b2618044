-- Per-workspace enablement and settings of extensions. A missing row means the
-- extension's default: enabled for `always` and `default-on`, disabled for `opt-in`.
create table workspace_extensions (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  extension_id text not null,
  enabled boolean not null,
  settings jsonb not null default '{}'::jsonb,
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (workspace_id, extension_id)
);

-- Small per-extension key/value state, scoped by workspace (kernel storage service).
create table extension_storage (
  extension_id text not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  key text not null,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (extension_id, workspace_id, key)
);

-- The installation's encryption key for the secrets service when MASKIN_SECRET_KEY
-- is not set (development). Production sets MASKIN_SECRET_KEY and this stays empty.
create table installation_keys (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
