/**
 * integrations + webhooks + github on a real kernel (every discovered extension, as
 * the server boots them), with a fake GitHub on loopback (fake-github.ts) that checks
 * PKCE. Covers the OAuth dance and each way the callback refuses, refresh under
 * concurrency, the provider tool, signed webhooks into an event trigger, disconnect
 * with revocation, and finally that no token ever appeared in a response, a log line
 * or any table.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addMember,
  as,
  type CallOptions,
  createTestKernel,
  eventsOf,
  type Member,
  type TestKernel,
  waitFor,
} from '@maskin/test-kit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGitHub } from '../../core-extensions/github/webhook.ts';
import { integrationsServiceRef } from '../../core-extensions/integrations/api.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';

const UI = 'https://ui.example/settings/integrations';
const WEBHOOK_SECRET = "It's a Secret to Everybody";

const workRoot = mkdtempSync(join(tmpdir(), 'maskin-integrations-'));
let t: TestKernel;
let fake: FakeGitHub;
let owner: Member;
const logLines: string[] = [];
const responses: string[] = [];

async function call(method: string, path: string, options: CallOptions = {}) {
  const result = await t.call(method, path, options);
  responses.push(JSON.stringify(result.body), JSON.stringify([...result.headers.entries()]));
  return result;
}

const query = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  t.kernel.services.database.query<Row>(text, params);

async function enableGitHub(member: Member) {
  const result = await call('PUT', `/api/workspaces/${member.workspaceId}/extensions/github`, {
    key: member.key,
    body: { enabled: true },
  });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
}

/** POST connect, then let the fake "user" approve at /authorize: the callback path it redirects to. */
async function authorize(member: Member) {
  const started = await call('POST', '/api/integrations/github/connect', as(member, { body: {} }));
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const approved = await fetch(started.body.authorize_url, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const back = new URL(approved.headers.get('location')!);
  return {
    authorizeUrl: new URL(started.body.authorize_url),
    callback: `${back.pathname}${back.search}`,
    back,
  };
}

async function callback(path: string) {
  const result = await call('GET', path);
  expect(result.status).toBe(302);
  return new URL(result.headers.get('location')!);
}

beforeAll(async () => {
  fake = await startFakeGitHub();
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  t = await createTestKernel({
    env: {
      MASKIN_EXT_INTEGRATIONS_UI_URL: UI,
      MASKIN_EXT_GITHUB_CLIENT_ID: fake.clientId,
      MASKIN_EXT_GITHUB_CLIENT_SECRET: fake.clientSecret,
      MASKIN_EXT_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      MASKIN_EXT_GITHUB_AUTHORIZE_URL: `${fake.url}/login/oauth/authorize`,
      MASKIN_EXT_GITHUB_TOKEN_URL: `${fake.url}/login/oauth/access_token`,
      MASKIN_EXT_GITHUB_API_URL: fake.url,
      MASKIN_EXT_SESSIONS_API_URL: 'http://127.0.0.1:9',
      MASKIN_EXT_SESSIONS_WORK_DIR: workRoot,
      MASKIN_EXT_SESSIONS_CONTROL_MS: '50',
    },
    logger,
  });
  owner = await t.signup('Owner');
  await enableGitHub(owner);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  rmSync(workRoot, { recursive: true, force: true });
});

let integrationId: string;

describe('OAuth2 with PKCE against a fake GitHub', () => {
  it('lists GitHub as a configured oauth2 provider with the events it emits', async () => {
    const providers = await call('GET', '/api/integrations/providers', as(owner));
    expect(providers.status).toBe(200);
    const github = providers.body.items.find((p: any) => p.id === 'github');
    expect(github).toMatchObject({ auth_kind: 'oauth2', configured: true, webhooks: true });
    expect(github.events).toContain('github.pull_request.opened');
  });

  it('connects: S256 challenge, one-time state, code exchanged with the verifier, redirect with the id', async () => {
    const { authorizeUrl, callback: path } = await authorize(owner);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(fake.clientId);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toMatch(/\/api\/integrations\/github\/callback$/);
    const landed = await callback(path);
    expect(`${landed.origin}${landed.pathname}`).toBe(UI);
    integrationId = landed.searchParams.get('integration')!;
    expect(integrationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.exchangeFailures).toEqual([]);

    const list = await call('GET', '/api/integrations', as(owner));
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: integrationId,
        provider: 'github',
        external_id: '4242',
        scopes: ['repo', 'read:org'],
      }),
    ]);
    const events = await eventsOf(t, owner.workspaceId, ['integration']);
    expect(events.map((e) => e.type)).toEqual(['integration.connect_started', 'integration.connected']);

    // The same state (and code) again: refused, nothing connected twice.
    const replayed = await callback(path);
    expect(replayed.searchParams.get('error')).toBe('state_replayed');
    expect((await call('GET', '/api/integrations', as(owner))).body.items).toHaveLength(1);
  });

  it('refuses a missing, unknown, expired, other-provider or denied state with an error code', async () => {
    expect((await callback('/api/integrations/github/callback?code=x')).searchParams.get('error')).toBe(
      'state_missing',
    );
    expect(
      (await callback('/api/integrations/github/callback?code=x&state=forged')).searchParams.get('error'),
    ).toBe('state_unknown');

    const late = await authorize(owner);
    await query(
      `update integrations_oauth_states set expires_at = now() - interval '1 second' where used_at is null`,
    );
    expect((await callback(late.callback)).searchParams.get('error')).toBe('state_expired');

    const otherProvider = await authorize(owner);
    expect(
      (await callback(otherProvider.callback.replace('/github/', '/linear/'))).searchParams.get('error'),
    ).toBe('state_unknown');

    const denied = await authorize(owner);
    const state = denied.back.searchParams.get('state')!;
    const deniedPath = `/api/integrations/github/callback?error=access_denied&state=${encodeURIComponent(state)}`;
    expect((await callback(deniedPath)).searchParams.get('error')).toBe('provider_denied');
    const failures = (await eventsOf(t, owner.workspaceId, ['integration'])).filter(
      (e) => e.type === 'integration.connect_failed',
    );
    expect(failures.map((e) => e.data.error)).toEqual(['provider_denied']);
  });

  it("refuses a code issued for another state's challenge (the fake checks PKCE)", async () => {
    const first = await authorize(owner);
    const second = await authorize(owner);
    const code = first.back.searchParams.get('code')!;
    const state = second.back.searchParams.get('state')!;
    const crossed = await callback(
      `/api/integrations/github/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}&installation_id=4242`,
    );
    expect(crossed.searchParams.get('error')).toBe('token_exchange_failed');
    expect(fake.exchangeFailures).toEqual(['invalid_code_verifier']);
  });

  it('keeps state, connections and installations apart between workspaces', async () => {
    const stranger = await t.signup('Stranger');
    await enableGitHub(stranger);
    // Not a member of owner's workspace: 404; a plain member: 403.
    const foreign = await call('POST', '/api/integrations/github/connect', {
      key: stranger.key,
      workspace: owner.workspaceId,
      body: {},
    });
    expect(foreign.status).toBe(404);
    const member = await addMember(t, owner, 'member');
    expect((await call('POST', '/api/integrations/github/connect', as(member, { body: {} }))).status).toBe(
      403,
    );
    // The stranger's own workspace sees none of owner's connections.
    expect((await call('GET', '/api/integrations', as(stranger))).body.items).toEqual([]);
    // The installation owner's workspace connected cannot be claimed by another workspace.
    const claim = await authorize(stranger);
    expect((await callback(claim.callback)).searchParams.get('error')).toBe('external_id_taken');
    // A state whose actor lost admin rights before the callback does not connect.
    const admin = await addMember(t, owner, 'admin');
    const pending = await authorize(admin);
    const removed = await call(
      'DELETE',
      `/api/workspaces/${owner.workspaceId}/members/${admin.actorId}`,
      as(owner),
    );
    expect(removed.status).toBe(204);
    expect((await callback(pending.callback)).searchParams.get('error')).toBe('not_authorized');
  });
});

describe('refresh', () => {
  it('refreshes once for many concurrent callers, under the row lock', async () => {
    const service = await t.kernel.container.get(integrationsServiceRef);
    await query(`update integrations set expires_at = now() + interval '10 seconds' where id = $1`, [
      integrationId,
    ]);
    const before = fake.refreshCount;
    const requestsBefore = fake.refreshRequests;
    const release = fake.holdRefreshes();
    const callers = Array.from({ length: 6 }, () =>
      service.freshAccessToken(owner.workspaceId, integrationId),
    );
    // The first caller is at the (held) token endpoint, holding the row; the rest wait on it.
    await waitFor(() => fake.refreshRequests === requestsBefore + 1);
    release();
    const tokens = await Promise.all(callers);
    expect(fake.refreshCount).toBe(before + 1);
    expect(fake.refreshRequests).toBe(requestsBefore + 1);
    expect(new Set(tokens).size).toBe(1);
    expect(fake.issued.has(tokens[0]!)).toBe(true);
    const refreshed = (await eventsOf(t, owner.workspaceId, ['integration'])).filter(
      (e) => e.type === 'integration.refreshed',
    );
    expect(refreshed).toHaveLength(1);
  });
});

describe('refresh job', () => {
  it('refreshes a token that expires within the margin with no caller asking (jobsRef)', async () => {
    const other = await t.signup('Early');
    await enableGitHub(other);
    fake.installationId = '5151';
    fake.expiresIn.code = 60; // inside the 300 s margin: the job is due at once
    const before = fake.refreshCount;
    try {
      const { callback: path } = await authorize(other);
      const id = (await callback(path)).searchParams.get('integration');
      expect(id).toBeTruthy();
      await waitFor(async () =>
        (await eventsOf(t, other.workspaceId, ['integration'])).some(
          (e) => e.type === 'integration.refreshed',
        ),
      );
      expect(fake.refreshCount).toBe(before + 1);
      const [row] = await query<{ expires_at: Date }>('select expires_at from integrations where id = $1', [
        id,
      ]);
      expect(new Date(row!.expires_at).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    } finally {
      fake.installationId = '4242';
      fake.expiresIn.code = 28_800;
    }
  });
});

describe('provider tools', () => {
  it("opens a GitHub issue with the workspace's token and records it", async () => {
    const opened = await call(
      'POST',
      '/api/github/issues',
      as(owner, { body: { repository: 'acme/app', title: 'From Maskin' } }),
    );
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toEqual({ number: 1, url: 'https://github.com/acme/app/issues/1' });
    expect(fake.issuesCreated.at(-1)).toMatchObject({ repository: 'acme/app', title: 'From Maskin' });
    const events = await eventsOf(t, owner.workspaceId, ['github_issue']);
    expect(events.at(-1)).toMatchObject({ type: 'github.api.issue_created', entity_id: 'acme/app#1' });
  });
});

describe('sessions', () => {
  it("hands the connection's token to an agent session as GITHUB_TOKEN, beside the LLM key", async () => {
    const agent = await call('POST', '/api/actors/agents', as(owner, { body: { name: 'Coder' } }));
    expect(agent.status).toBe(201);
    // The agent proves it got the token by printing its SHA-256, never the token.
    const script =
      "const h=require('crypto').createHash('sha256').update(process.env.GITHUB_TOKEN||'').digest('hex');" +
      "console.log('github='+h+' anthropic='+(process.env.ANTHROPIC_API_KEY?'set':'unset'))";
    const profile = await call(
      'PUT',
      `/api/sessions/agents/${agent.body.id}/profile`,
      as(owner, { body: { runtime: 'custom', command: [process.execPath, '-e', script] } }),
    );
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    const keys = await call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/sessions`, {
      key: owner.key,
      body: { secrets: { anthropic_api_key: 'sk-ant-test-llm-key' } },
    });
    expect(keys.status).toBe(200);
    const created = await call(
      'POST',
      '/api/sessions',
      as(owner, { body: { agent_id: agent.body.id, prompt: 'go' } }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    let session: any;
    await waitFor(async () => {
      session = (await call('GET', `/api/sessions/${created.body.id}`, as(owner))).body;
      return ['completed', 'failed', 'timeout', 'stopped'].includes(session.status);
    }, 20_000);
    expect(session.status, JSON.stringify(session)).toBe('completed');
    const logs = (await call('GET', `/api/sessions/${created.body.id}/logs?limit=200`, as(owner))).body.items;
    const token = await (await t.kernel.container.get(integrationsServiceRef)).freshAccessToken(
      owner.workspaceId,
      integrationId,
    );
    const hash = createHash('sha256').update(token!).digest('hex');
    expect(logs.map((line: any) => line.text)).toContain(`github=${hash} anthropic=set`);
    expect(logs.map((line: any) => line.text)).toContain('credentials: workspace keys; tools: integrations');
  });
});

const pullRequest = (installation: number, action = 'opened') =>
  JSON.stringify({
    action,
    installation: { id: installation },
    repository: { full_name: 'acme/app' },
    pull_request: {
      number: 12,
      title: 'Add webhooks',
      html_url: 'https://github.com/acme/app/pull/12',
      state: 'open',
    },
    sender: { login: 'octocat' },
  });

const deliver = (body: string, headers: Record<string, string>) =>
  call('POST', '/api/webhooks/github', {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers },
  });

describe('GitHub webhooks', () => {
  it('refuses a forged or missing signature and records nothing', async () => {
    const body = pullRequest(4242);
    const forged = await deliver(body, {
      'x-github-delivery': 'forged-1',
      'x-hub-signature-256': signGitHub('not the secret', body),
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('WEBHOOKS_SIGNATURE_INVALID');
    const unsigned = await deliver(body, { 'x-github-delivery': 'forged-2' });
    expect(unsigned.status).toBe(401);
    // One byte changed after signing.
    const tampered = await deliver(body.replace('Add', 'Adx'), {
      'x-github-delivery': 'forged-3',
      'x-hub-signature-256': signGitHub(WEBHOOK_SECRET, body),
    });
    expect(tampered.status).toBe(401);
    expect(await eventsOf(t, owner.workspaceId, ['github_pull_request'])).toEqual([]);
  });

  it('accepts and ignores a delivery for an installation no workspace connected', async () => {
    const body = pullRequest(999_999);
    const result = await deliver(body, {
      'x-github-delivery': 'unknown-1',
      'x-hub-signature-256': signGitHub(WEBHOOK_SECRET, body),
    });
    expect(result.status).toBe(202);
    expect(result.body).toEqual({ status: 'ignored', reason: 'unknown_installation' });
    expect(await query(`select * from webhooks_deliveries where delivery_id = 'unknown-1'`)).toEqual([]);
  });

  it('fires an event trigger end to end; a duplicate delivery records nothing', async () => {
    const trigger = await call(
      'POST',
      '/api/triggers',
      as(owner, {
        body: {
          name: 'Review new pull requests',
          type: 'event',
          config: { types: ['github.pull_request.opened'] },
          action: {
            kind: 'operation',
            method: 'POST',
            path: '/api/objects',
            body: { type: 'task', title: 'Review: {{event.data.title}}' },
          },
        },
      }),
    );
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201);

    const body = pullRequest(4242);
    const headers = {
      'x-github-delivery': 'delivery-1',
      'x-hub-signature-256': signGitHub(WEBHOOK_SECRET, body),
    };
    const first = await deliver(body, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({
      status: 'recorded',
      event_type: 'github.pull_request.opened',
      delivery_id: 'delivery-1',
    });
    const again = await deliver(body, headers);
    expect(again.body).toEqual({ status: 'duplicate', delivery_id: 'delivery-1' });

    const recorded = await eventsOf(t, owner.workspaceId, ['github_pull_request']);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      type: 'github.pull_request.opened',
      actor_id: null,
      entity_id: 'acme/app#12',
      data: { title: 'Add webhooks', repository: 'acme/app', integration_id: integrationId },
    });

    let runs: any[] = [];
    await waitFor(async () => {
      runs = (await call('GET', `/api/triggers/${trigger.body.id}/runs`, as(owner))).body.items;
      return runs.some((run) => run.status === 'succeeded' || run.status === 'failed');
    });
    expect(runs).toHaveLength(1);
    expect(runs[0].status, JSON.stringify(runs[0])).toBe('succeeded');
    const tasks = await call('GET', '/api/objects?type=task', as(owner));
    expect(tasks.body.items.map((o: any) => o.title)).toContain('Review: Add webhooks');
  });
});

describe('disconnect', () => {
  it('revokes at GitHub, deletes the credentials and records it', async () => {
    const removed = await call('DELETE', `/api/integrations/${integrationId}`, as(owner));
    expect(removed.status).toBe(204);
    expect(fake.revoked).toHaveLength(1);
    expect(fake.issued.has(fake.revoked[0]!)).toBe(true);
    expect((await call('GET', '/api/integrations', as(owner))).body.items).toEqual([]);
    expect(await query('select id from integrations where id = $1', [integrationId])).toEqual([]);
    const events = await eventsOf(t, owner.workspaceId, ['integration']);
    expect(events.at(-1)).toMatchObject({
      type: 'integration.disconnected',
      data: { provider: 'github', revoked_at_provider: true },
    });
    expect((await call('DELETE', `/api/integrations/${integrationId}`, as(owner))).status).toBe(404);
  });
});

describe('secrecy', () => {
  it('never shows a token in a response, a log line, or any table', async () => {
    // Connect once more so live ciphertext is in the database while we look.
    const { callback: path } = await authorize(owner);
    expect((await callback(path)).searchParams.get('integration')).toBeTruthy();
    expect(fake.issued.size).toBeGreaterThanOrEqual(6);
    const tables = await query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['integrations', 'integrations_oauth_states']),
    );
    const dump: string[] = [];
    for (const { name } of tables) {
      const rows = await query<{ row: string }>(`select t::text as row from "${name}" t`);
      dump.push(...rows.map((r) => r.row));
    }
    expect(dump.join('\n')).toContain('integration.connected');
    const haystacks = {
      responses: responses.join('\n'),
      logs: logLines.join('\n'),
      database: dump.join('\n'),
    };
    for (const secret of [...fake.issued, fake.clientSecret]) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(secret), `${secret.slice(0, 8)}... found in ${where}`).toBe(false);
      }
    }
  });
});
