/**
 * The load module's data: one account over HTTP (signup, then one workspace per case,
 * so a case's writes never change another case's rows), and the read cases' objects
 * seeded in SQL for speed (generate_series, the same vocabulary as bench/objects.ts;
 * the generated tsvector and the GIN index are maintained as for any insert). Seeding
 * goes through a driver on the database the server uses, which on PGlite means the
 * server is stopped meanwhile: the caller arranges that.
 */
import { randomBytes } from 'node:crypto';
import type { Driver } from './driver.ts';

export interface Account {
  key: string;
  actorId: string;
  /** Workspaces by role: list (10,000 tasks), big (search), write, sse, and eight for writers. */
  list: string;
  big: string;
  write: string;
  sse: string;
  writers: string[];
}

export const WORDS = (
  'export import pricing billing checkout onboarding invoice report dashboard search filter upload ' +
  'download latency timeout crash login signup password email notification webhook mobile desktop ' +
  'tablet browser chart table column row sort page cursor token session agent task bet insight ' +
  'customer account team member role admin owner viewer permission audit history version draft ' +
  'publish archive delete restore backup sync offline online cache queue worker cron schedule'
).split(' ');

/**
 * Search terms in websearch syntax: a single word, two words, a phrase, an exclusion,
 * no hit (which the route answers with its typo fallback). In the first 10,000 objects
 * of the seed below they match 769, 308, 154, 461 and 0. An object's words all follow
 * from its number, so many pairs never meet: the earlier "export timeout" and
 * "customer account" matched nothing, and three of five queries measured the fallback.
 */
export const SEARCH_QUERIES = [
  'pricing',
  'pricing upload',
  '"team customer"',
  'webhook -mobile',
  'zzzunmatched',
];

async function post(url: string, body: unknown, key?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function createAccount(baseUrl: string): Promise<Account> {
  const email = `load-${randomBytes(4).toString('hex')}@example.com`;
  const signup = await post(`${baseUrl}/api/actors/signup`, { name: 'Load bench', email });
  const key = signup.api_key.key as string;
  const workspace = async (name: string) =>
    (await post(`${baseUrl}/api/workspaces`, { name }, key)).id as string;
  const writers = [];
  for (let i = 0; i < 8; i++) writers.push(await workspace(`writers ${i}`));
  return {
    key,
    actorId: signup.actor.id,
    list: signup.workspace.id,
    big: await workspace('search'),
    write: await workspace('writes'),
    sse: await workspace('stream'),
    writers,
  };
}

/** Inserts `rows` objects into `workspaceId`: all tasks, or insights, bets and tasks in turn. */
async function seedObjects(
  driver: Driver,
  account: Account,
  workspaceId: string,
  rows: number,
  mixed: boolean,
) {
  const words = `array[${WORDS.map((w) => `'${w}'`).join(',')}]`;
  const n = WORDS.length;
  const type = mixed ? `(array['insight','bet','task'])[1 + i % 3]` : `'task'`;
  const status = mixed ? `(array['new','signal','todo'])[1 + i % 3]` : `'todo'`;
  for (let offset = 0; offset < rows; offset += 10_000) {
    await driver.query(
      `insert into objects (workspace_id, type, title, content, status, metadata, created_by, created_at, updated_at)
       select $1, ${type},
              'Object ' || i || ' ' || w[1 + (i * 7) % ${n}] || ' ' || w[1 + (i * 13) % ${n}],
              'About ' || w[1 + (i * 17) % ${n}] || ' and ' || w[1 + (i * 19) % ${n}] || ', see ' || w[1 + (i * 23) % ${n}] || ' ' || md5(i::text),
              ${status},
              jsonb_build_object('source', w[1 + (i * 29) % ${n}]), $2,
              date_trunc('milliseconds', now()) - i * interval '1 second',
              date_trunc('milliseconds', now()) - i * interval '1 second'
         from generate_series($3::int, $4::int) as i, (select ${words} as w) as vocabulary`,
      [workspaceId, account.actorId, offset, Math.min(offset + 10_000, rows) - 1],
    );
  }
}

/** Seeds the list and search workspaces; returns ids of the listed tasks for GET by id. */
export async function seed(driver: Driver, account: Account, largeRows: number): Promise<string[]> {
  await seedObjects(driver, account, account.list, 10_000, false);
  await seedObjects(driver, account, account.big, largeRows, true);
  await driver.query('analyze objects', []);
  const rows = (await driver.query('select id from objects where workspace_id = $1 limit 1000', [
    account.list,
  ])) as { id: string }[];
  return rows.map((row) => row.id);
}
