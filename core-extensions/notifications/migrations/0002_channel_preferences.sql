-- Per-person types delivered through channels other extensions register (Slack):
-- { "slack": ["needs_input"] }. Empty: no channel beyond email.
alter table notifications_preferences add column channel_types jsonb not null default '{}'::jsonb;
