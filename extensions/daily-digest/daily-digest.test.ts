/**
 * daily-digest on a real kernel (PGlite, or PostgreSQL with DATABASE_URL), with every
 * extension discovered (objects included) and a node:http server on 127.0.0.1
 * standing in for the webhook receiver. Asynchronous effects (the subscription, the
 * job) are awaited by polling with a deadline.
 */
import { createHmac } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pg } from '@maskin/contract';
import {
  type CallOptions,
  collectUntil,
  connectSse,
  createTestKernel,
  eventsOf,
  serveKernel,
  type TestKernel,
  waitFor,
} from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digests, items, progressLines, schedules } from './tables.ts';

const SIGNING_SECRET = 'whsec-0123456789abcdef-never-shown';
const hmac = (body: string) => `sha256=${createHmac('sha256', SIGNING_SECRET).update(body).digest('hex')}`;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The kernel discovers core-extensions/ and extensions/ beside itself. When the test
 * kit's kernel is another checkout (or this folder lives outside the repository),
 * install this folder through MASKIN_EXTENSIONS, as a third-party operator would.
 */
function installThisFolder(): Record<string, string> {
  const kit = realpathSync(fileURLToPath(import.meta.resolve('@maskin/test-kit')));
  const kernelRoot = join(dirname(kit), '..', '..');
  const discovered = realpathSync(kernelRoot) === realpathSync(join(import.meta.dirname, '..', '..'));
  return discovered && existsSync(join(kernelRoot, 'extensions', 'daily-digest'))
    ? {}
    : { MASKIN_EXTENSIONS: import.meta.dirname };
}

let t: TestKernel;
let served: Awaited<ReturnType<typeof serveKernel>>;
let receiver: Server;
let webhookUrl: string;
const deliveries: Delivery[] = [];
/** The receiver answers 500 to this many more deliveries (a failing receiver). */
let failNext = 0;
const responseTexts: string[] = [];
let owner: Awaited<ReturnType<TestKernel['signup']>>;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/digest-token-s3cr3t`;
  t = await createTestKernel({ env: { MASKIN_EXT_DAILY_DIGEST_MAX_ITEMS: '50', ...installThisFolder() } });
  served = await serveKernel(t.kernel);
  owner = await t.signup('Digest Owner');
});

afterAll(async () => {
  await served?.close();
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** Every answer is kept, to prove that no secret is ever in one. */
async function call(method: string, path: string, options: CallOptions = {}) {
  const result = await t.call(method, path, { key: owner.key, workspace: owner.workspaceId, ...options });
  responseTexts.push(JSON.stringify(result.body));
  return result;
}
const digestApi = (method: string, path: string, options?: CallOptions) =>
  call(method, `/api/m/daily-digest${path}`, options);
const configure = (body: Record<string, unknown>) =>
  call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/daily-digest`, { body });

const query = <Row>(text: string, params: unknown[]) => t.kernel.services.database.query<Row>(text, params);
const pendingItems = async (objectId?: string) => {
  const rows = await query<{ n: string | number }>(
    `select count(*) as n from daily_digest_items where workspace_id = $1 and digest_id is null${objectId ? ' and object_id = $2' : ''}`,
    objectId ? [owner.workspaceId, objectId] : [owner.workspaceId],
  );
  return Number(rows[0]!.n);
};
const createTask = async (title: string) => {
  const created = await call('POST', '/api/objects', { body: { type: 'task', title } });
  expect(created.status).toBe(201);
  return created.body.id as string;
};

describe('daily-digest', () => {
  it('schedules the next digest at the hour of the timezone when enabled, and refuses to compile without a webhook', async () => {
    const enabled = await configure({
      enabled: true,
      enable_requires: true,
      settings: { hour: 7, timezone: 'Europe/Oslo' },
    });
    expect(enabled.status).toBe(200);
    const [schedule] = await query<{ run_at: Date | string }>(
      'select run_at from daily_digest_schedules where workspace_id = $1',
      [owner.workspaceId],
    );
    const runAt = new Date(schedule!.run_at);
    expect(runAt.getTime()).toBeGreaterThan(Date.now());
    expect(runAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const osloHour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Oslo',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    expect(osloHour.format(runAt)).toBe('07');
    expect(runAt.getUTCMinutes()).toBe(0);

    expect((await configure({ settings: { hour: 24 } })).status).toBe(400);
    expect((await configure({ settings: { timezone: 'Mars/Olympus' } })).status).toBe(400);

    await createTask('Before the webhook');
    const refused = await digestApi('POST', '/digests');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WEBHOOK_NOT_CONFIGURED');
  });

  it('moves the scheduled job when the hour changes, cancelling the old one', async () => {
    const [before] = await query<{ job_id: string }>(
      'select job_id from daily_digest_schedules where workspace_id = $1',
      [owner.workspaceId],
    );
    expect((await configure({ settings: { hour: 8, timezone: 'Europe/Oslo' } })).status).toBe(200);
    const [after] = await query<{ job_id: string }>(
      'select job_id from daily_digest_schedules where workspace_id = $1',
      [owner.workspaceId],
    );
    expect(after!.job_id).not.toBe(before!.job_id);
    const states = await query<{ id: string; state: string }>(
      'select id, state from jobs where id = any($1::uuid[])',
      [[before!.job_id, after!.job_id]],
    );
    expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).toEqual({
      [before!.job_id]: 'cancelled',
      [after!.job_id]: 'pending',
    });
  });

  let digestId: string;
  let objectIds: string[];

  it('collects each object event once, compiles on request and delivers a signed digest', async () => {
    const secrets = await configure({ secrets: { webhook_url: webhookUrl, signing_secret: SIGNING_SECRET } });
    expect(secrets.status).toBe(200);
    const second = await createTask('Write the digest');
    const moved = await call('PATCH', `/api/objects/${second}`, { body: { status: 'in_progress' } });
    expect(moved.status).toBe(200);
    // created x2 + updated + status_changed
    await waitFor(async () => (await pendingItems()) === 4);
    const [first] = await query<{ object_id: string }>(
      "select object_id from daily_digest_items where workspace_id = $1 and summary like '%Before the webhook%'",
      [owner.workspaceId],
    );
    objectIds = [first!.object_id, second];
    const perEvent = await query<{ n: string | number }>(
      'select count(*) as n from daily_digest_items where workspace_id = $1 group by event_id having count(*) > 1',
      [owner.workspaceId],
    );
    expect(perEvent).toEqual([]);

    const accepted = await digestApi('POST', '/digests');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ created: true, pending_items: 4 });

    await waitFor(() => deliveries.length === 1, 20_000);
    const [delivery] = deliveries;
    expect(delivery!.headers['x-daily-digest-signature']).toBe(hmac(delivery!.body));
    const payload = JSON.parse(delivery!.body);
    digestId = payload.digest_id;
    expect(delivery!.headers['x-daily-digest-id']).toBe(digestId);
    expect(payload.items).toHaveLength(4);
    expect(new Set(payload.items.map((item: { object_id: string }) => item.object_id))).toEqual(
      new Set(objectIds),
    );
    expect(payload.recipients).toMatchObject({ count: 1, members: [{ id: owner.actorId, role: 'owner' }] });

    await waitFor(
      async () => (await digestApi('GET', `/digests/${digestId}`)).body.delivered_at !== null,
      20_000,
    );
    const digest = await digestApi('GET', `/digests/${digestId}`);
    expect(digest.body).toMatchObject({ item_count: 4, recipient_count: 1, acknowledged_at: null });
    expect(digest.body.items).toHaveLength(4);
    expect(await pendingItems()).toBe(0);

    const types = (await eventsOf(t, owner.workspaceId, ['daily_digest'])).map((e) => e.type);
    expect(types).toEqual(['daily_digest.compiled', 'daily_digest.summarised', 'daily_digest.delivered']);
  });

  it('links the digest to each object it reports, and no longer marks them pending', async () => {
    for (const objectId of objectIds) {
      const links = await call('GET', `/api/objects/${objectId}/links`);
      expect(links.status).toBe(200);
      const ours = links.body.items.filter(
        (l: { extension_id: string }) => l.extension_id === 'daily-digest',
      );
      expect(
        ours.map((l: { record_type: string; record_id: string }) => [l.record_type, l.record_id]),
      ).toEqual([['digest', digestId]]);
    }
  });

  it('summarises the digest as an insight created by the workspace owner', async () => {
    const digest = await digestApi('GET', `/digests/${digestId}`);
    const insight = await call('GET', `/api/objects/${digest.body.insight_id}`);
    expect(insight.status).toBe(200);
    expect(insight.body).toMatchObject({
      type: 'insight',
      created_by: owner.actorId,
      metadata: { daily_digest_id: digestId },
    });
    expect(insight.body.content).toContain('Write the digest');

    // Once the subscription has passed the insight's own object.created, it left no item.
    const [created] = await query<{ id: string | number }>(
      "select id from events where workspace_id = $1 and type = 'object.created' and entity_id = $2",
      [owner.workspaceId, insight.body.id],
    );
    await waitFor(async () => {
      const [cursor] = await query<{ last_id: string | number }>(
        "select last_id from event_subscription_cursors where consumer = 'daily-digest:collect' and scope = $1",
        [owner.workspaceId],
      );
      return cursor !== undefined && Number(cursor.last_id) >= Number(created!.id);
    });
    expect(await pendingItems(insight.body.id)).toBe(0);
  });

  it('lists digests newest first with keyset pages', async () => {
    const page = await digestApi('GET', '/digests?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.items.map((d: { id: string }) => d.id)).toEqual([digestId]);
    expect(page.body.next_cursor).toBeNull();
    expect((await digestApi('GET', '/digests?cursor=bm9wZQ')).status).toBe(400);
  });

  it('streams the compile progress lines over SSE', async () => {
    const stream = await connectSse(`${served.url}/api/m/daily-digest/progress/stream`, {
      key: owner.key,
      workspace: owner.workspaceId,
      lastEventId: 0,
    });
    expect(stream.status).toBe(200);
    try {
      const messages = await collectUntil(stream, (seen) =>
        seen.some((m) => m.data?.includes('Delivered to the webhook')),
      );
      const texts = messages
        .filter((m) => m.event === 'daily_digest.progress')
        .map((m) => JSON.parse(m.data!).text);
      expect(texts[0]).toBe('Collecting object activity');
      expect(texts).toContain('Compiled 4 items for 1 members');
      expect(texts.at(-1)).toBe('Delivered to the webhook');
    } finally {
      stream.close();
    }
  });

  it('accepts a correctly signed receipt once and refuses a bad signature without writing', async () => {
    const body = JSON.stringify({ digest_id: digestId });
    const receipt = (signature: string) =>
      digestApi('POST', '/receipts', {
        rawBody: body,
        headers: { 'content-type': 'application/json', 'x-daily-digest-signature': signature },
      });
    const forged = await receipt(hmac(`${body} `));
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('SIGNATURE_INVALID');
    const unsigned = await digestApi('POST', '/receipts', { body: { digest_id: digestId } });
    expect(unsigned.status).toBe(401);
    expect((await digestApi('GET', `/digests/${digestId}`)).body.acknowledged_at).toBeNull();

    const accepted = await receipt(hmac(body));
    expect(accepted.status).toBe(200);
    const again = await receipt(hmac(body));
    expect(again.body.acknowledged_at).toBe(accepted.body.acknowledged_at);
    const acks = (await eventsOf(t, owner.workspaceId, ['daily_digest'])).filter(
      (e) => e.type === 'daily_digest.receipt_acknowledged',
    );
    expect(acks).toHaveLength(1);
  });

  it("drops a deleted object's pending items, so there is nothing to digest", async () => {
    const doomed = await createTask('Short-lived');
    await waitFor(async () => (await pendingItems(doomed)) === 1);
    expect((await call('DELETE', `/api/objects/${doomed}`)).status).toBe(204);
    expect(await pendingItems(doomed)).toBe(0);
    const empty = await digestApi('POST', '/digests');
    expect(empty.status).toBe(409);
    expect(empty.body.error.code).toBe('DIGEST_EMPTY');
  });

  it('retries a delivery the receiver refused, with the same digest id, recording it once', async () => {
    const objectId = await createTask('Delivered on the second try');
    await waitFor(async () => (await pendingItems(objectId)) === 1);
    const before = deliveries.length;
    failNext = 1;
    expect((await digestApi('POST', '/digests')).status).toBe(202);
    await waitFor(() => deliveries.length === before + 2, 20_000);
    const [refused, accepted] = deliveries.slice(before).map((d) => JSON.parse(d.body));
    expect(accepted.digest_id).toBe(refused.digest_id);
    expect(accepted.items.map((i: { object_id: string }) => i.object_id)).toEqual([objectId]);
    await waitFor(
      async () => (await digestApi('GET', `/digests/${accepted.digest_id}`)).body.delivered_at !== null,
    );
    const ofDigest = (await eventsOf(t, owner.workspaceId, ['daily_digest']))
      .filter((e) => e.entity_id === accepted.digest_id)
      .map((e) => e.type);
    expect(ofDigest).toEqual(['daily_digest.compiled', 'daily_digest.summarised', 'daily_digest.delivered']);
  });

  it('a scheduled run compiles what waits and schedules the next day', async () => {
    const [current] = await query<{ job_id: string }>(
      'select job_id from daily_digest_schedules where workspace_id = $1',
      [owner.workspaceId],
    );
    const scheduledJob = current!.job_id;
    // Its hour has come: move the job's run time to now instead of waiting a day.
    await query('update jobs set run_at = now() where id = $1', [scheduledJob]);
    const jobState = async (id: string) =>
      (await query<{ state: string }>('select state from jobs where id = $1', [id]))[0]?.state;
    await waitFor(async () => (await jobState(scheduledJob)) === 'completed', 20_000);
    const [next] = await query<{ job_id: string; run_at: Date | string }>(
      'select job_id, run_at from daily_digest_schedules where workspace_id = $1',
      [owner.workspaceId],
    );
    expect(next!.job_id).not.toBe(scheduledJob);
    expect(await jobState(next!.job_id)).toBe('pending');
    expect(new Date(next!.run_at).getTime()).toBeGreaterThan(Date.now());
    const lines = await query<{ text: string }>(
      'select text from daily_digest_progress where job_id = $1 order by id',
      [scheduledJob],
    );
    expect(lines.map((l) => l.text)).toEqual(['Collecting object activity', 'Nothing to digest']);
  });

  it('serves its page at /x/daily-digest/', async () => {
    const page = await t.call('GET', '/x/daily-digest/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(String(page.body)).toContain('<h1>Daily digest</h1>');
  });

  it('defines its drizzle tables as its migration creates them (no drift)', async () => {
    for (const table of [digests, items, schedules, progressLines]) {
      const config = pg.getTableConfig(table);
      const inDatabase = await query<{ name: string; type: string; not_null: boolean }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
           from pg_attribute a
          where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
          order by a.attnum`,
        [`public.${config.name}`],
      );
      const asDrizzle = config.columns.map((c) => ({
        name: c.name,
        type: c.getSQLType(),
        not_null: c.notNull,
      }));
      expect(inDatabase, config.name).toEqual(asDrizzle);
    }
  });

  it('never shows a secret in any answer', async () => {
    const listed = await call('GET', `/api/workspaces/${owner.workspaceId}/extensions`);
    const ours = listed.body.items?.find?.((e: { id: string }) => e.id === 'daily-digest') ?? listed.body;
    expect(JSON.stringify(ours)).toContain('"set":true');
    const everything = responseTexts.join('\n');
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toContain('digest-token-s3cr3t');
  });
});
