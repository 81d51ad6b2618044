-- Per-workspace secret settings of extensions (manifest `secrets`): write-only through
-- the API, stored only as ciphertext of the kernel's secrets service (AES-256-GCM with
-- the installation key). A missing row means the secret is not set.
create table extension_secrets (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  extension_id text not null,
  key text not null,
  ciphertext text not null,
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (workspace_id, extension_id, key)
);
