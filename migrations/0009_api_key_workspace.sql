-- A key may be limited to one workspace (a session's key, minted through agentKeysRef):
-- the request pipeline answers any other workspace as for a non-member, and refuses
-- actor-level routes (minting keys, creating workspaces) to such a key. Null: the key
-- carries every membership of its actor, as before.
alter table api_keys add column workspace_id uuid references workspaces (id) on delete cascade;
