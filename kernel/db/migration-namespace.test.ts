import { describe, expect, it } from 'vitest';
import { namespaceViolations } from './migration-namespace.ts';

const names = (sql: string, namespace = 'daily_digest') =>
  namespaceViolations(sql, namespace).map((violation) => violation.statement);

describe('namespaceViolations', () => {
  it('accepts objects named by the namespace, references to kernel tables included', () => {
    expect(
      names(`
        create table daily_digest (id uuid primary key);
        create table if not exists daily_digest_runs (
          id uuid primary key,
          workspace_id uuid not null references workspaces (id) on delete cascade,
          created_by uuid references actors (id) on delete set null
        );
        create unique index daily_digest_runs_one on daily_digest_runs (workspace_id);
        create index on daily_digest_runs (created_by);
        create sequence daily_digest_seq;
        create type daily_digest_state as enum ('queued', 'sent');
        create or replace view daily_digest_recent as select * from daily_digest_runs;
        create materialized view daily_digest_totals as select count(*) from daily_digest_runs;
        create or replace function daily_digest_touch() returns trigger as $$ begin create table evil (); end $$ language plpgsql;
        alter table daily_digest_runs add column note text;
        alter table public.daily_digest_runs add constraint daily_digest_fk foreign key (id) references objects (id);
        drop index if exists daily_digest_runs_one;
        drop table daily_digest, daily_digest_runs;
      `),
    ).toEqual([]);
  });

  it('refuses creating, altering or dropping anything outside it, with the statement', () => {
    expect(
      names(`
        create table sessions (id uuid);
        create index sessions_by_id on sessions (id);
        CREATE UNIQUE INDEX IF NOT EXISTS daily_digest_x ON actors (email);
        create sequence public.counter;
        create type mood as enum ('happy');
        create view "Everything" as select 1;
        create table other_schema.daily_digest_runs (id uuid);
        alter table actors add column digest text;
        alter type mood add value 'sad';
        drop table daily_digest_runs, workspaces cascade;
        drop materialized view if exists totals;
      `),
    ).toEqual([
      'creates table "sessions"',
      'creates index "sessions_by_id"',
      'creates sequence "public.counter"',
      'creates type "mood"',
      'creates view "Everything"',
      'creates table "other_schema.daily_digest_runs"',
      'indexes table "sessions"',
      'indexes table "actors"',
      'alters table "actors"',
      'alters type "mood"',
      'drops table "workspaces"',
      'drops materialized view "totals"',
    ]);
  });

  it('ignores names inside comments and string literals', () => {
    expect(
      names(`
        -- create table sessions (id uuid);
        /* drop table actors; */
        create table daily_digest_notes (body text default 'create table sessions');
      `),
    ).toEqual([]);
  });

  it('reads "daily_digestive" as outside the namespace "daily_digest"', () => {
    expect(names('create table daily_digestive (id int);')).toEqual(['creates table "daily_digestive"']);
  });
});
