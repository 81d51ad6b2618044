-- Invitations: the only way a person joins a workspace they did not create (issue 10,
-- finding 4). Addressed to an email; seen and answered by the account with that email.
create table workspace_invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  email text not null,
  role text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  invited_by uuid,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'revoked')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  responded_at timestamptz,
  responded_by uuid
);
-- One open invitation per workspace and address: inviting again renews it.
create unique index workspace_invitations_open on workspace_invitations (workspace_id, lower(email))
  where status = 'pending';
create index workspace_invitations_invitee on workspace_invitations (lower(email), created_at);
create index workspace_invitations_workspace on workspace_invitations (workspace_id, created_at);

-- The workspace an agent was created in: its owners can always list and revoke the
-- agent's keys, wherever else it was added since (finding 5).
alter table actors add column home_workspace_id uuid references workspaces (id) on delete set null;
update actors a
   set home_workspace_id = e.workspace_id
  from events e
 where a.type = 'agent' and e.type = 'actor.created' and e.entity_type = 'actor'
   and e.entity_id = a.id::text and e.workspace_id is not null;
