-- Connections of a workspace to outside providers. Tokens are stored only as
-- AES-256-GCM ciphertext under a per-row data key (wrapped_key, itself encrypted by
-- the installation's secrets service), with associated data naming the workspace,
-- this row's id and the column: a ciphertext copied to another row or column does not
-- decrypt. expires_at is in clear so the refresh decision needs no decryption.
-- (provider, external_id) is unique: a webhook of an installation routes to exactly
-- one workspace.
create table integrations (
  id uuid primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  provider text not null,
  external_id text,
  label text,
  scopes text,
  wrapped_key text not null,
  access_token_ciphertext text not null,
  refresh_token_ciphertext text,
  expires_at timestamptz,
  refreshed_at timestamptz,
  last_refresh_error text,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint integrations_external_unique unique (provider, external_id)
);
create index integrations_workspace on integrations (workspace_id, created_at desc, id desc);

-- One-time OAuth states: only the SHA-256 of the state is stored, bound to the actor,
-- the workspace and the provider, with the PKCE verifier encrypted. used_at makes a
-- replay fail; expires_at (10 minutes) makes a late one fail.
create table integrations_oauth_states (
  state_hash text primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  actor_id uuid not null references actors (id) on delete cascade,
  provider text not null,
  code_verifier_ciphertext text not null,
  redirect_uri text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default date_trunc('milliseconds', now())
);
