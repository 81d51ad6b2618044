/**
 * claude-oauth on a real kernel with a stand-in sessions extension (its credential
 * point only) and a fake token endpoint on loopback speaking the refresh_token grant.
 * Every response body, log line and event of the file is kept, and the last test
 * checks that no token ever appeared in any of them or in any table of the database.
 */
import {
  addMember,
  as,
  type CallOptions,
  createTestKernel,
  eventsOf,
  installed,
  type Member,
  type TestKernel,
  usingPostgres,
  waitFor,
} from '@maskin/test-kit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import claudeOAuth from './index.ts';
import { type FakeTokenServer, startFakeTokenServer } from './test-fixtures/fake-token-server.ts';
import { sessionsStandIn } from './test-fixtures/sessions-stand-in.ts';

const CLIENT_ID = 'maskin-test-client';
const INITIAL = {
  access: 'sk-ant-oat01-imported-access-4f1c',
  refresh: 'sk-ant-ort01-imported-refresh-9b2e',
};
const base = '/api/claude-oauth/token';

let t: TestKernel;
let fake: FakeTokenServer;
let standIn: ReturnType<typeof sessionsStandIn>;
let owner: Member;
const logLines: string[] = [];
const responses: string[] = [];
const secretsSeen = new Set<string>([INITIAL.access, INITIAL.refresh]);

async function call(method: string, path: string, options: CallOptions) {
  const result = await t.call(method, path, options);
  responses.push(JSON.stringify(result.body), JSON.stringify([...result.headers.entries()]));
  return result;
}

const credentialsFor = async (workspaceId: string) => {
  const providers = standIn.providersFor('claude-code');
  expect(providers.map((p) => p.name)).toEqual(['claude-oauth']);
  const answer = await providers[0]!.credentialsFor(workspaceId);
  if (answer?.CLAUDE_CODE_OAUTH_TOKEN) secretsSeen.add(answer.CLAUDE_CODE_OAUTH_TOKEN);
  return answer;
};

const query = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  t.kernel.services.database.query<Row>(text, params);

const expireNow = (workspaceId: string) =>
  query(`update claude_oauth_tokens set expires_at = now() - interval '1 minute' where workspace_id = $1`, [
    workspaceId,
  ]);

async function enable(member: Member) {
  const result = await call('PUT', `/api/workspaces/${member.workspaceId}/extensions/claude-oauth`, {
    key: member.key,
    body: { enabled: true },
  });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
}

async function importTokens(member: Member, access: string, refresh: string, expiresAt: string | number) {
  secretsSeen.add(access);
  secretsSeen.add(refresh);
  return call('PUT', base, {
    ...as(member),
    body: { access_token: access, refresh_token: refresh, expires_at: expiresAt },
  });
}

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  fake = await startFakeTokenServer({ clientId: CLIENT_ID, refreshToken: INITIAL.refresh });
  standIn = sessionsStandIn();
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  t = await createTestKernel({
    extensions: [
      installed(standIn.definition, { tier: 'core' }),
      installed(claudeOAuth, { tier: 'core', dir: import.meta.dirname }),
    ],
    env: { MASKIN_EXT_CLAUDE_OAUTH_TOKEN_URL: fake.url, MASKIN_EXT_CLAUDE_OAUTH_CLIENT_ID: CLIENT_ID },
    logger,
  });
  owner = await t.signup('Owner');
  await enable(owner);
});

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('claude-oauth', () => {
  it('is opt-in: a workspace that has not enabled it gets no credentials and a 404 naming it', async () => {
    const other = await t.signup('NotEnabled');
    expect(await credentialsFor(other.workspaceId)).toBeUndefined();
    const refused = await call('PUT', base, {
      ...as(other),
      body: { access_token: 'x', refresh_token: 'y', expires_at: inOneHour() },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('EXTENSION_NOT_ENABLED');
  });

  it('refuses bad input and non-admins, storing nothing', async () => {
    const member = await addMember(t, owner, 'member', 'Member');
    const bad = await call('PUT', base, {
      ...as(owner),
      body: { access_token: 'only-access', expires_at: inOneHour() },
    });
    expect(bad.status).toBe(400);
    const badTime = await call('PUT', base, {
      ...as(owner),
      body: { access_token: 'a', refresh_token: 'b', expires_at: 'tomorrow' },
    });
    expect(badTime.status).toBe(400);
    const denied = await call('PUT', base, {
      ...as(member),
      body: { access_token: 'a', refresh_token: 'b', expires_at: inOneHour() },
    });
    expect(denied.status).toBe(403);
    expect((await call('GET', base, as(member))).body).toMatchObject({ configured: false, expires_at: null });
    expect(await query('select id from claude_oauth_tokens')).toEqual([]);
  });

  it('imports tokens, shows a status without them, and gives claude-code sessions the access token', async () => {
    const expiresAt = Date.now() + 3_600_000; // milliseconds, as in Claude Code's credentials file
    const imported = await importTokens(owner, INITIAL.access, INITIAL.refresh, expiresAt);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({
      configured: true,
      expired: false,
      expires_at: new Date(expiresAt).toISOString(),
      created_by: owner.actorId,
      last_refresh_error: null,
    });
    expect(await credentialsFor(owner.workspaceId)).toEqual({ CLAUDE_CODE_OAUTH_TOKEN: INITIAL.access });
    expect(standIn.providersFor('codex')).toEqual([]);
    expect(fake.requests).toEqual([]);
    const events = await eventsOf(t, owner.workspaceId, ['claude_oauth_token']);
    expect(events.map((e) => e.type)).toEqual(['claude_oauth_token.imported']);
    expect(events[0]!.data).toEqual({ expires_at: new Date(expiresAt).toISOString(), replaced: false });
  });

  it('answers status with a GET that never writes, even for an expired token', async () => {
    await expireNow(owner.workspaceId);
    const snapshot = async () => ({
      rows: await query('select t::text as row from claude_oauth_tokens t order by id'),
      events: await query('select count(*)::int as n, max(id)::text as last from events'),
      jobs: await query('select count(*)::int as n from jobs'),
    });
    const before = await snapshot();
    for (let i = 0; i < 3; i += 1) {
      const status = await call('GET', base, as(owner));
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ configured: true, expired: true });
    }
    expect(await snapshot()).toEqual(before);
    expect(fake.requests).toEqual([]);
  });

  it('refreshes an expired token exactly once for concurrent sessions (row lock), then reuses it', async () => {
    // Still expired from the test before.
    fake.hold();
    const callers = Array.from({ length: 5 }, () => credentialsFor(owner.workspaceId));
    await waitFor(() => fake.requests.length === 1);
    if (usingPostgres()) {
      // The four others are waiting on the row lock, in the database, while the refresh is in flight.
      await waitFor(async () => {
        const [waiting] = await query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%claude_oauth_tokens%'`,
        );
        return waiting!.n === 4;
      });
    }
    fake.release();
    const answers = await Promise.all(callers);
    expect(fake.requests).toEqual([
      { grant_type: 'refresh_token', refresh_token: INITIAL.refresh, client_id: CLIENT_ID },
    ]);
    secretsSeen.add(fake.lastAccessToken!);
    secretsSeen.add(fake.validRefreshToken);
    expect(new Set(answers.map((a) => a?.CLAUDE_CODE_OAUTH_TOKEN))).toEqual(new Set([fake.lastAccessToken]));

    const again = await credentialsFor(owner.workspaceId);
    expect(again).toEqual({ CLAUDE_CODE_OAUTH_TOKEN: fake.lastAccessToken });
    expect(fake.requests).toHaveLength(1);
    const events = await eventsOf(t, owner.workspaceId, ['claude_oauth_token']);
    expect(events.filter((e) => e.type === 'claude_oauth_token.refreshed')).toHaveLength(1);
    const status = await call('GET', base, as(owner));
    expect(status.body).toMatchObject({ configured: true, expired: false, last_refresh_error: null });
    expect(status.body.refreshed_at).not.toBeNull();

    // The rotated refresh token is what the next refresh sends.
    await expireNow(owner.workspaceId);
    const rotated = fake.validRefreshToken;
    await credentialsFor(owner.workspaceId);
    expect(fake.requests.at(-1)).toMatchObject({ refresh_token: rotated });
    secretsSeen.add(fake.lastAccessToken!);
    secretsSeen.add(fake.validRefreshToken);
  });

  it('reports a refused refresh in the status and an event, and gives no expired token', async () => {
    await expireNow(owner.workspaceId);
    fake.refuseWith('invalid_grant');
    try {
      expect(await credentialsFor(owner.workspaceId)).toBeUndefined();
    } finally {
      fake.refuseWith(undefined);
    }
    const status = await call('GET', base, as(owner));
    expect(status.body.last_refresh_error).toBe('token endpoint refused the refresh: HTTP 400 invalid_grant');
    const events = await eventsOf(t, owner.workspaceId, ['claude_oauth_token']);
    expect(events.at(-1)).toMatchObject({
      type: 'claude_oauth_token.refresh_failed',
      actor_id: null,
      data: { reason: 'token endpoint refused the refresh: HTTP 400 invalid_grant' },
    });
    // The next refresh succeeds again and clears the error.
    expect(await credentialsFor(owner.workspaceId)).toEqual({
      CLAUDE_CODE_OAUTH_TOKEN: fake.lastAccessToken,
    });
    secretsSeen.add(fake.lastAccessToken!);
    secretsSeen.add(fake.validRefreshToken);
    expect((await call('GET', base, as(owner))).body.last_refresh_error).toBeNull();
  });

  it("keeps workspaces apart: another workspace sees, gets and deletes nothing of this one's", async () => {
    const other = await t.signup('OtherWorkspace');
    await enable(other);
    expect((await call('GET', base, as(other))).body).toMatchObject({ configured: false });
    expect(await credentialsFor(other.workspaceId)).toBeUndefined();
    expect((await call('DELETE', base, as(other))).status).toBe(404);
    // A key of this workspace aimed at the other one is a non-member there: 404.
    expect((await call('GET', base, { key: owner.key, workspace: other.workspaceId })).status).toBe(404);
    expect((await call('GET', base, as(owner))).body.configured).toBe(true);
  });

  it('binds ciphertexts to their row: copied to another workspace (or swapped) they do not decrypt', async () => {
    const other = await t.signup('CopyTarget');
    await enable(other);
    const imported = await importTokens(
      other,
      'sk-ant-oat01-other-access',
      'sk-ant-ort01-other-refresh',
      inOneHour(),
    );
    expect(imported.status).toBe(200);
    expect(await credentialsFor(other.workspaceId)).toEqual({
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-other-access',
    });

    const requestsBefore = fake.requests.length;
    await query(
      `update claude_oauth_tokens target
          set wrapped_key = source.wrapped_key,
              access_token_ciphertext = source.access_token_ciphertext,
              refresh_token_ciphertext = source.refresh_token_ciphertext
         from claude_oauth_tokens source
        where source.workspace_id = $1 and target.workspace_id = $2`,
      [owner.workspaceId, other.workspaceId],
    );
    expect(await credentialsFor(other.workspaceId)).toBeUndefined();
    expect(logLines.some((line) => line.includes('do not decrypt for this row'))).toBe(true);

    await query(
      `update claude_oauth_tokens
          set access_token_ciphertext = refresh_token_ciphertext, refresh_token_ciphertext = access_token_ciphertext
        where workspace_id = $1`,
      [owner.workspaceId],
    );
    expect(await credentialsFor(owner.workspaceId)).toBeUndefined();
    expect(fake.requests.length).toBe(requestsBefore);

    // Importing again repairs it (the row keeps its id; replaced: true).
    const again = await importTokens(
      owner,
      'sk-ant-oat01-reimported',
      'sk-ant-ort01-reimported',
      inOneHour(),
    );
    expect(again.status).toBe(200);
    expect(await credentialsFor(owner.workspaceId)).toEqual({
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-reimported',
    });
    const events = await eventsOf(t, owner.workspaceId, ['claude_oauth_token']);
    expect(events.at(-1)).toMatchObject({ type: 'claude_oauth_token.imported', data: { replaced: true } });
  });

  it('deletes the tokens with an event; sessions then get nothing', async () => {
    const other = await t.signup('Deleter');
    await enable(other);
    await importTokens(other, 'sk-ant-oat01-to-delete', 'sk-ant-ort01-to-delete', inOneHour());
    expect((await call('DELETE', base, as(other))).status).toBe(204);
    expect((await call('GET', base, as(other))).body.configured).toBe(false);
    expect(await credentialsFor(other.workspaceId)).toBeUndefined();
    const events = await eventsOf(t, other.workspaceId, ['claude_oauth_token']);
    expect(events.map((e) => e.type)).toEqual(['claude_oauth_token.imported', 'claude_oauth_token.deleted']);
  });

  it('never shows a token in a response, a log line, an event, or any table in plaintext', async () => {
    expect(secretsSeen.size).toBeGreaterThan(8);
    const tables = await query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((table) => table.name)).toContain('claude_oauth_tokens');
    const dump: string[] = [];
    for (const { name } of tables) {
      const rows = await query<{ row: string }>(`select t::text as row from "${name}" t`);
      dump.push(...rows.map((r) => r.row));
    }
    const haystacks = {
      responses: responses.join('\n'),
      logs: logLines.join('\n'),
      database: dump.join('\n'),
    };
    expect(haystacks.logs).toContain('claude-oauth'); // the log capture works
    for (const secret of secretsSeen) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(secret), `${secret.slice(0, 16)}... found in ${where}`).toBe(false);
      }
    }
  });
});
