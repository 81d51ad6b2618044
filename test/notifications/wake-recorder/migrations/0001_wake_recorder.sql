create table wake_recorder (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  agent_id uuid not null,
  session_id uuid,
  prompt text not null,
  woken_by uuid not null,
  reason jsonb not null,
  created_at timestamptz not null default now()
);
