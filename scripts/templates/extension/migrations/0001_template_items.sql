create table template_items_items (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  title text not null,
  created_by uuid,
  created_at timestamptz not null default now()
);
-- Every query is scoped by workspace; lists page by (created_at desc, id desc).
create index template_items_items_workspace_created on template_items_items (workspace_id, created_at desc, id desc);
