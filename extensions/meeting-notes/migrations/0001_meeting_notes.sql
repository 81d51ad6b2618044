create table meeting_notes (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  title text not null,
  body text not null default '',
  attendees jsonb not null default '[]'::jsonb,
  held_at timestamptz not null,
  duration_minutes integer not null check (duration_minutes > 0),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Every query is scoped by workspace; lists page by (held_at desc, id desc).
create index meeting_notes_workspace_held on meeting_notes (workspace_id, held_at desc, id desc);
