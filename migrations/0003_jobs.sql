-- Durable background jobs of extensions (kernel/jobs/). A job is claimed by one
-- process at a time with FOR UPDATE SKIP LOCKED and held by a lease (locked_until)
-- that its process renews while the handler runs; a lease that expires (the process
-- died) makes the job claimable again. Rows are inserted in the caller's transaction,
-- so a rolled-back request enqueues nothing.
create table jobs (
  id uuid primary key default gen_random_uuid(),
  extension_id text not null,
  queue text not null,
  workspace_id uuid references workspaces (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  state text not null default 'pending'
    check (state in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  run_at timestamptz not null default now(),
  -- Attempts started so far (a claim counts one, also after an expired lease).
  attempt integer not null default 0,
  max_attempts integer not null check (max_attempts between 1 and 100),
  timeout_ms integer not null check (timeout_ms > 0),
  retry_delay_ms integer not null check (retry_delay_ms >= 0),
  singleton_key text,
  -- The slot of the schedule that enqueued it (null when enqueued directly).
  scheduled_for timestamptz,
  locked_by text,
  locked_until timestamptz,
  progress jsonb,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
-- What a worker claims: due pending jobs of its queue, oldest first.
create index jobs_due on jobs (extension_id, queue, run_at) where state = 'pending';
-- Running jobs whose lease may have expired.
create index jobs_leased on jobs (extension_id, queue, locked_until) where state = 'running';
-- At most one pending or running job per singleton key, per extension, queue and workspace.
create unique index jobs_singleton on jobs (
  extension_id, queue, coalesce(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid), singleton_key
) where singleton_key is not null and state in ('pending', 'running');
create index jobs_finished on jobs (finished_at) where finished_at is not null;

-- Each slot of a schedule fires once across every process: the first to insert the
-- slot's row enqueues its job; everyone else's insert conflicts and does nothing.
create table job_schedule_slots (
  extension_id text not null,
  name text not null,
  slot timestamptz not null,
  job_id uuid,
  created_at timestamptz not null default now(),
  primary key (extension_id, name, slot)
);
