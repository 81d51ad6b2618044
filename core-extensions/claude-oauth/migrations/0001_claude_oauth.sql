-- The workspace's Claude subscription tokens (one row per workspace). Both tokens are
-- stored only as AES-256-GCM ciphertext under a per-row data key (wrapped_key, itself
-- encrypted by the installation's secrets service), with associated data naming the
-- workspace, this row's id and the column: a ciphertext copied to another row or
-- column does not decrypt. expires_at is kept in clear: the status route and the
-- refresh decision read it without decrypting anything.
create table claude_oauth_tokens (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  wrapped_key text not null,
  access_token_ciphertext text not null,
  refresh_token_ciphertext text not null,
  expires_at timestamptz not null,
  refreshed_at timestamptz,
  last_refresh_error text,
  created_by uuid references actors (id) on delete set null,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint claude_oauth_tokens_workspace_unique unique (workspace_id)
);
