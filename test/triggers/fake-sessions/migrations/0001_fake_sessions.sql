-- A stand-in for the sessions extension in triggers' tests: sessions it was asked to start.
create table sessions_fake (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  actor_id uuid not null,
  prompt text not null,
  created_by uuid not null,
  trigger_id uuid,
  created_at timestamptz not null default now(),
  ended_at timestamptz
);
