/**
 * The drizzle table definitions the code queries through (kernel/db/schema.ts and
 * each extension's tables) against the database the migrations build, so the two
 * cannot drift: every column drizzle knows exists with the same type and
 * nullability, and every column of a table drizzle defines is known to drizzle unless
 * an insert through drizzle can leave it out (it has a default, is generated or is
 * nullable). A migration that changes a column without its table definition, or the
 * reverse, fails here instead of at the first query. Runs on both databases.
 */
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as claudeOAuthTables from '../../core-extensions/claude-oauth/table.ts';
import { commentsTable } from '../../core-extensions/comments/tables.ts';
import { filesTable } from '../../core-extensions/files/table.ts';
import { importErrorsTable, importsTable } from '../../core-extensions/imports/table.ts';
import * as integrationsTables from '../../core-extensions/integrations/tables.ts';
import * as notificationsTables from '../../core-extensions/notifications/tables.ts';
import { objectLinksTable } from '../../core-extensions/objects/links-table.ts';
import { objectsTable } from '../../core-extensions/objects/table.ts';
import { relationshipsTable } from '../../core-extensions/relationships/table.ts';
import * as skillsTables from '../../core-extensions/sessions/skills/tables.ts';
import * as sessionsTables from '../../core-extensions/sessions/tables.ts';
import { subscriptionsTable } from '../../core-extensions/subscriptions/tables.ts';
import * as triggersTables from '../../core-extensions/triggers/tables.ts';
import * as webhooksTables from '../../core-extensions/webhooks/tables.ts';
import * as dailyDigestTables from '../../extensions/daily-digest/tables.ts';
import { meetingNotes } from '../../extensions/meeting-notes/service.ts';
import * as kernelSchema from '../../kernel/db/schema.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

/** drizzle's SQL type names, spelled as PostgreSQL's format_type() spells them. */
const ALIASES: Record<string, string> = {
  varchar: 'character varying',
  timestamp: 'timestamp without time zone',
  serial: 'integer',
  bigserial: 'bigint',
  smallserial: 'smallint',
  'double precision': 'double precision',
};
const canonical = (type: string) => {
  // drizzle writes numeric(14, 6); PostgreSQL's format_type writes numeric(14,6)
  const normalized = type.toLowerCase().replace(/\s+/g, ' ').replace(/,\s+/g, ',').trim();
  const base = normalized.replace(/\(.*$/, '');
  const alias = ALIASES[base];
  return alias ? normalized.replace(base, alias) : normalized;
};

const kernelTables = Object.values(kernelSchema as Record<string, unknown>).filter(
  (value): value is PgTable => is(value, PgTable),
);
/** Tables an extension (or the kernel) defines in full, and partial read-only views of others. */
const tablesOf = (module: Record<string, unknown>) =>
  Object.values(module).filter((value): value is PgTable => is(value, PgTable));
const owned: PgTable[] = [
  ...kernelTables,
  objectsTable,
  objectLinksTable,
  relationshipsTable,
  filesTable,
  importsTable,
  importErrorsTable,
  meetingNotes,
  ...tablesOf(dailyDigestTables),
  ...tablesOf(skillsTables),
  ...tablesOf(sessionsTables),
  ...tablesOf(triggersTables),
  ...tablesOf(claudeOAuthTables),
  ...tablesOf(notificationsTables),
  subscriptionsTable,
  commentsTable,
  ...tablesOf(integrationsTables),
  ...tablesOf(webhooksTables),
];
const views: PgTable[] = [];

interface DbColumn {
  name: string;
  type: string;
  notNull: boolean;
  optionalOnInsert: boolean;
}

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

async function columnsOf(table: string): Promise<DbColumn[]> {
  const rows = await t.kernel.services.database.query<{
    name: string;
    type: string;
    not_null: boolean;
    optional: boolean;
  }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
            (a.atthasdef or a.attgenerated <> '' or a.attidentity <> '' or not a.attnotnull) as optional
       from pg_attribute a
      where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [`public.${table}`],
  );
  return rows.map((r) => ({ name: r.name, type: r.type, notNull: r.not_null, optionalOnInsert: r.optional }));
}

function drizzleColumns(table: PgTable) {
  const config = getTableConfig(table);
  return {
    name: config.name,
    columns: config.columns.map((column) => ({
      name: column.name,
      type: canonical(column.getSQLType()),
      notNull: column.notNull,
    })),
  };
}

describe('drizzle table definitions match the migrated database', () => {
  for (const table of [...owned, ...views]) {
    const { name, columns } = drizzleColumns(table);
    const full = owned.includes(table);
    it(`${name}${full ? '' : ' (partial view)'}`, async () => {
      const inDatabase = await columnsOf(name);
      expect(inDatabase.length, `table ${name} exists`).toBeGreaterThan(0);
      const byName = new Map(inDatabase.map((column) => [column.name, column]));
      const known = columns.map((column) => {
        const actual = byName.get(column.name);
        return actual
          ? { name: column.name, type: canonical(actual.type), notNull: actual.notNull }
          : undefined;
      });
      expect(known, 'drizzle columns as the database has them').toEqual(columns);
      if (!full) return;
      const names = new Set(columns.map((column) => column.name));
      const unknownRequired = inDatabase
        .filter((column) => !names.has(column.name) && !column.optionalOnInsert)
        .map((column) => column.name);
      expect(unknownRequired, 'database columns an insert through drizzle cannot fill').toEqual([]);
    });
  }
});
