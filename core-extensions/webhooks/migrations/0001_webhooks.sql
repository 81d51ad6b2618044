-- Deliveries already recorded, for deduplication: a provider's delivery id is unique,
-- so a redelivery (the provider retrying, or an attacker replaying a captured request
-- within its timestamp window) records nothing. No payload is kept here: the
-- normalised event in the workspace's log is the record.
create table webhooks_deliveries (
  provider text not null,
  delivery_id text not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  integration_id uuid not null,
  event_type text not null,
  received_at timestamptz not null default date_trunc('milliseconds', now()),
  constraint webhooks_deliveries_unique primary key (provider, delivery_id)
);
create index webhooks_deliveries_received on webhooks_deliveries (received_at);
