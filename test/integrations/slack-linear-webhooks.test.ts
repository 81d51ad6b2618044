/**
 * Slack and Linear webhooks on a real kernel: both connected through the real OAuth
 * dance against the fake provider on loopback (it answers Slack's `team` and Linear's
 * GraphQL organization), then signed deliveries: Slack's url_verification, v0
 * signatures and the 5-minute window; Linear's signature and the 1-minute
 * webhookTimestamp window; forged signatures; duplicates; unknown teams; a provider
 * disabled in the workspace.
 */
import {
  as,
  type CallOptions,
  createTestKernel,
  eventsOf,
  type Member,
  type TestKernel,
} from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLinear } from '../../core-extensions/linear/webhook.ts';
import { signSlack } from '../../core-extensions/slack/webhook.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const LINEAR_SECRET = 'lin_wh_secret_0b9c';

let t: TestKernel;
let fake: FakeGitHub;
let owner: Member;

const call = (method: string, path: string, options: CallOptions = {}) => t.call(method, path, options);

async function connect(provider: 'slack' | 'linear') {
  const enabled = await call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/${provider}`, {
    key: owner.key,
    body: { enabled: true },
  });
  expect(enabled.status).toBe(200);
  const started = await call('POST', `/api/integrations/${provider}/connect`, as(owner, { body: {} }));
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const authorizeUrl = new URL(started.body.authorize_url);
  if (provider !== 'linear') expect(authorizeUrl.searchParams.get('scope')).toContain(',');
  const approved = await fetch(authorizeUrl, { redirect: 'manual' });
  const back = new URL(approved.headers.get('location')!);
  const landed = await call('GET', `${back.pathname}${back.search}`);
  const location = new URL(landed.headers.get('location')!, 'http://ui');
  expect(location.searchParams.get('integration'), location.toString()).toBeTruthy();
  return location.searchParams.get('integration')!;
}

const now = () => Math.floor(Date.now() / 1000);

function slack(body: object, options: { timestamp?: number; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(options.timestamp ?? now());
  return call('POST', '/api/webhooks/slack', {
    rawBody: raw,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlack(options.secret ?? SLACK_SECRET, timestamp, raw),
    },
  });
}

function linear(body: object, delivery: string, secret = LINEAR_SECRET) {
  const raw = JSON.stringify(body);
  return call('POST', '/api/webhooks/linear', {
    rawBody: raw,
    headers: {
      'content-type': 'application/json',
      'linear-delivery': delivery,
      'linear-signature': signLinear(secret, raw),
    },
  });
}

const message = (eventId: string, team = 'T0ACME') => ({
  type: 'event_callback',
  team_id: team,
  event_id: eventId,
  event: { type: 'message', channel: 'C1', user: 'U1', text: 'ship it', ts: '1700000000.000100' },
});

const issue = (timestamp = Date.now(), organizationId = 'org-1') => ({
  action: 'create',
  type: 'Issue',
  organizationId,
  webhookTimestamp: timestamp,
  url: 'https://linear.app/acme/issue/ENG-1',
  data: { id: 'issue-uuid-1', identifier: 'ENG-1', title: 'Crash on start', state: { name: 'Todo' } },
});

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.grantExtras = { ok: true, team: { id: 'T0ACME', name: 'Acme' } };
  const oauthEnv = (id: string) => ({
    [`MASKIN_EXT_${id}_CLIENT_ID`]: fake.clientId,
    [`MASKIN_EXT_${id}_CLIENT_SECRET`]: fake.clientSecret,
    [`MASKIN_EXT_${id}_AUTHORIZE_URL`]: `${fake.url}/login/oauth/authorize`,
    [`MASKIN_EXT_${id}_TOKEN_URL`]: `${fake.url}/login/oauth/access_token`,
  });
  t = await createTestKernel({
    env: {
      ...oauthEnv('SLACK'),
      ...oauthEnv('LINEAR'),
      MASKIN_EXT_SLACK_SIGNING_SECRET: SLACK_SECRET,
      MASKIN_EXT_LINEAR_WEBHOOK_SECRET: LINEAR_SECRET,
      MASKIN_EXT_LINEAR_API_URL: `${fake.url}/graphql`,
    },
  });
  owner = await t.signup('Owner');
  const slackId = await connect('slack');
  const linearId = await connect('linear');
  const list = await call('GET', '/api/integrations', as(owner));
  expect(list.body.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: slackId, provider: 'slack', external_id: 'T0ACME', label: 'Acme' }),
      expect.objectContaining({ id: linearId, provider: 'linear', external_id: 'org-1', label: 'Acme' }),
    ]),
  );
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('Slack', () => {
  it('answers a signed url_verification with its challenge, and refuses an unsigned one', async () => {
    const handshake = await slack({
      type: 'url_verification',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    expect(handshake.status).toBe(200);
    expect(handshake.body.challenge).toBe('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    const forged = await slack({ type: 'url_verification', challenge: 'x' }, { secret: 'wrong' });
    expect(forged.status).toBe(401);
  });

  it('records slack.message.posted once per event_id', async () => {
    const first = await slack(message('Ev01'));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: 'recorded', event_type: 'slack.message.posted' });
    expect((await slack(message('Ev01'))).body).toEqual({ status: 'duplicate', delivery_id: 'Ev01' });
    const events = await eventsOf(t, owner.workspaceId, ['slack_message']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'slack.message.posted',
      entity_id: 'C1/1700000000.000100',
      data: { text: 'ship it' },
    });
  });

  it('refuses timestamps outside five minutes either way, even when correctly signed', async () => {
    const stale = await slack(message('Ev02'), { timestamp: now() - 5 * 60 - 30 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('WEBHOOKS_TIMESTAMP_STALE');
    const future = await slack(message('Ev03'), { timestamp: now() + 5 * 60 + 30 });
    expect(future.status).toBe(401);
    expect((await slack(message('Ev04'), { secret: 'forged' })).body.error.code).toBe(
      'WEBHOOKS_SIGNATURE_INVALID',
    );
    expect(await eventsOf(t, owner.workspaceId, ['slack_message'])).toHaveLength(1);
  });

  it('ignores an unknown team (202), and a workspace where slack is disabled', async () => {
    expect((await slack(message('Ev05', 'T0OTHER'))).status).toBe(202);
    const disabled = await call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/slack`, {
      key: owner.key,
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    const ignored = await slack(message('Ev06'));
    expect(ignored.status).toBe(202);
    expect(ignored.body.reason).toBe('not_enabled');
    expect(await eventsOf(t, owner.workspaceId, ['slack_message'])).toHaveLength(1);
  });
});

describe('Linear', () => {
  it('records linear.issue.created; a redelivery is a duplicate', async () => {
    const body = issue();
    const first = await linear(body, 'del-1');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: 'recorded', event_type: 'linear.issue.created' });
    expect((await linear(body, 'del-1')).body.status).toBe('duplicate');
    const events = await eventsOf(t, owner.workspaceId, ['linear_issue']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      entity_id: 'issue-uuid-1',
      data: { identifier: 'ENG-1', title: 'Crash on start' },
    });
  });

  it('refuses a webhookTimestamp older than a minute, and a forged signature', async () => {
    const stale = await linear(issue(Date.now() - 61_000), 'del-2');
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('WEBHOOKS_TIMESTAMP_STALE');
    const forged = await linear(issue(), 'del-3', 'not-the-secret');
    expect(forged.body.error.code).toBe('WEBHOOKS_SIGNATURE_INVALID');
    expect((await linear(issue(Date.now(), 'org-unknown'), 'del-4')).status).toBe(202);
    expect(await eventsOf(t, owner.workspaceId, ['linear_issue'])).toHaveLength(1);
  });

  it('answers 404 for a provider without webhooks, and 400 for a body that is not JSON', async () => {
    expect((await call('POST', '/api/webhooks/nope', { body: {} })).status).toBe(404);
    const notJson = await call('POST', '/api/webhooks/linear', {
      rawBody: 'not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
  });
});
