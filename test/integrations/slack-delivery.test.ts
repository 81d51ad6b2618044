/**
 * Notifications delivered on Slack, end to end on a real kernel: Slack connected
 * through the real OAuth dance (the OAuth fake on loopback), a fake Slack Web API on
 * loopback that checks the bot token. A person who turned slack on for needs_input
 * gets exactly one chat.postMessage when an agent asks them; a person who did not
 * gets nothing; a workspace without Slack connected delivers nothing and the
 * notification still succeeds; a Slack `ok: false` leaves the job to retry, not lost.
 * Jobs are awaited through their rows, never by sleeping.
 */
import { as, createTestKernel, eventsOf, type Member, type TestKernel, waitFor } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteAndAccept } from '../helpers/work-graph.ts';
import { addAgent } from '../notifications/kernel.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.ts';

let t: TestKernel;
let oauth: FakeGitHub;
let slack: FakeSlackApi;
/** Workspace with Slack connected: Hanne opts in, Ola does not. */
let hanne: Member & { email: string };
let ola: Member & { email: string };
let asker: Member;
/** Workspace with slack enabled but not connected. */
let kari: Member & { email: string };
let kariAsker: Member;

const query = <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
  t.kernel.services.database.query<T>(text, values);

async function signup(name: string) {
  const person = await t.signup(name);
  return { key: person.key, actorId: person.actorId, workspaceId: person.workspaceId, email: person.email };
}

async function enableSlack(owner: Member) {
  const enabled = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/slack`, {
    key: owner.key,
    body: { enabled: true },
  });
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
}

async function connectSlack(owner: Member) {
  await enableSlack(owner);
  const started = await t.call('POST', '/api/integrations/slack/connect', as(owner, { body: {} }));
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const approved = await fetch(new URL(started.body.authorize_url), { redirect: 'manual' });
  const back = new URL(approved.headers.get('location')!);
  const landed = await t.call('GET', `${back.pathname}${back.search}`);
  const location = new URL(landed.headers.get('location')!, 'http://ui');
  expect(location.searchParams.get('integration'), location.toString()).toBeTruthy();
}

async function ask(from: Member, to: Member, title: string) {
  const created = await t.call(
    'POST',
    '/api/notifications',
    as(from, {
      body: {
        type: 'needs_input',
        target_actor_id: to.actorId,
        title,
        metadata: { input_type: 'confirmation' },
      },
    }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string };
}

/** Waits until slack has no pending or running job. */
async function settled() {
  await waitFor(async () => {
    const rows = await query(
      "select 1 from jobs where extension_id = 'slack' and state in ('pending', 'running') limit 1",
    );
    return rows.length === 0;
  });
}

async function createdEvent(workspaceId: string, notificationId: string) {
  const events = await eventsOf(t, workspaceId, ['notification']);
  return events.find((event) => event.type === 'notification.created' && event.entity_id === notificationId)!;
}

beforeAll(async () => {
  oauth = await startFakeGitHub();
  oauth.grantExtras = { ok: true, team: { id: 'T0ACME', name: 'Acme' } };
  slack = await startFakeSlackApi(oauth.issued);
  t = await createTestKernel({
    env: {
      MASKIN_EXT_SLACK_CLIENT_ID: oauth.clientId,
      MASKIN_EXT_SLACK_CLIENT_SECRET: oauth.clientSecret,
      MASKIN_EXT_SLACK_AUTHORIZE_URL: `${oauth.url}/login/oauth/authorize`,
      MASKIN_EXT_SLACK_TOKEN_URL: `${oauth.url}/login/oauth/access_token`,
      MASKIN_EXT_SLACK_API_URL: slack.url,
    },
  });
  hanne = await signup('Hanne');
  ola = { ...(await signup('Ola')), workspaceId: hanne.workspaceId };
  await inviteAndAccept(t, hanne.key, hanne.workspaceId, ola, 'member');
  await connectSlack(hanne);
  asker = await addAgent(t, hanne, 'Planner');
  kari = await signup('Kari');
  await enableSlack(kari);
  kariAsker = await addAgent(t, kari, 'Planner');
  for (const person of [hanne, ola, kari])
    slack.users.set(person.email, `U${person.email.slice(0, 4).toUpperCase()}`);
});

afterAll(async () => {
  await t?.close();
  await slack?.close();
  await oauth?.close();
});

describe('Slack delivery of notifications', () => {
  it('preferences: slack is off by default, turned on per type, and an unknown channel is refused', async () => {
    const defaults = await t.call('GET', '/api/notifications/preferences', as(hanne));
    expect(defaults.body).toEqual({ email_types: ['needs_input'], digest: 'daily', channels: {} });
    const on = await t.call(
      'PATCH',
      '/api/notifications/preferences',
      as(hanne, { body: { channels: { slack: ['needs_input'] } } }),
    );
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toEqual({
      email_types: ['needs_input'],
      digest: 'daily',
      channels: { slack: ['needs_input'] },
    });
    const unknown = await t.call(
      'PATCH',
      '/api/notifications/preferences',
      as(hanne, { body: { channels: { teams: ['alert'] } } }),
    );
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('slack');
    // Email settings alone leave the channels as they are.
    const emailOnly = await t.call(
      'PATCH',
      '/api/notifications/preferences',
      as(hanne, { body: { digest: 'off' } }),
    );
    expect(emailOnly.body.channels).toEqual({ slack: ['needs_input'] });
  });

  it('a question from an agent reaches the person who opted in as one DM, with the bot token', async () => {
    slack.calls.length = 0;
    const question = await ask(asker, hanne, 'Ship the Q3 pricing page?');
    await settled();
    const posted = slack.posted();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.args.channel).toBe(slack.users.get(hanne.email));
    expect(posted[0]!.args.text).toContain('Ship the Q3 pricing page?');
    expect(posted[0]!.args.text).toContain(question.id);
    const token = posted[0]!.authorization!.replace(/^Bearer /, '');
    expect(oauth.issued.has(token)).toBe(true);
    const lookup = slack.calls.find((call) => call.method === 'users.lookupByEmail');
    expect(lookup?.args.email).toBe(hanne.email);
    expect(lookup?.authorization).toBe(`Bearer ${token}`);
    expect((await createdEvent(hanne.workspaceId, question.id)).data.channels).toEqual({ slack: 'queued' });
    const delivered = await eventsOf(t, hanne.workspaceId, ['notification']);
    expect(
      delivered
        .filter((e) => e.type === 'slack.notification.posted')
        .map((e) => [e.entity_id, e.data.slack_user_id]),
    ).toEqual([[question.id, slack.users.get(hanne.email)]]);
    // The token never reaches the event log.
    const log = await query<{ data: unknown }>('select data from events where workspace_id = $1', [
      hanne.workspaceId,
    ]);
    expect(JSON.stringify(log)).not.toContain(token);
  });

  it('a person who did not turn slack on gets nothing, and neither does a type left off', async () => {
    slack.calls.length = 0;
    const toOla = await ask(asker, ola, 'Approve the budget?');
    const news = await t.call(
      'POST',
      '/api/notifications',
      as(asker, { body: { type: 'good_news', target_actor_id: hanne.actorId, title: 'Churn fell' } }),
    );
    expect(news.status).toBe(201);
    await settled();
    expect(slack.calls).toEqual([]);
    expect((await createdEvent(hanne.workspaceId, toOla.id)).data.channels).toBeUndefined();
  });

  it('a workspace without Slack connected delivers nothing and the notification still succeeds', async () => {
    const on = await t.call(
      'PATCH',
      '/api/notifications/preferences',
      as(kari, { body: { channels: { slack: ['needs_input'] } } }),
    );
    expect(on.status).toBe(200);
    slack.calls.length = 0;
    const question = await ask(kariAsker, kari, 'Which vendor?');
    await settled();
    expect(slack.calls).toEqual([]);
    expect((await createdEvent(kari.workspaceId, question.id)).data.channels).toEqual({
      slack: 'unavailable',
    });
    const jobs = await query("select 1 from jobs where extension_id = 'slack' and workspace_id = $1", [
      kari.workspaceId,
    ]);
    expect(jobs).toHaveLength(0);
    const listed = await t.call('GET', '/api/notifications', as(kari));
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(question.id);
  });

  it("Slack's ok:false leaves the job to retry with Slack's error; the retry delivers once", async () => {
    slack.calls.length = 0;
    slack.postErrors.push('ratelimited');
    const question = await ask(asker, hanne, 'Move the launch to Monday?');
    let jobId = '';
    await waitFor(async () => {
      const [job] = await query<{ id: string; state: string; last_error: string | null }>(
        "select id, state, last_error from jobs where extension_id = 'slack' and singleton_key = $1",
        [question.id],
      );
      jobId = job?.id ?? '';
      return job?.state === 'pending' && job.last_error !== null;
    });
    const [failed] = await query<{ last_error: string; attempt: number }>(
      'select last_error, attempt from jobs where id = $1',
      [jobId],
    );
    expect(failed!.last_error).toContain('chat.postMessage: ratelimited');
    expect(failed!.attempt).toBe(1);
    expect(slack.posted()).toHaveLength(1); // refused, nothing posted yet
    // Skip the back-off instead of waiting it out; the retry is the worker's own.
    await query("update jobs set run_at = now() where id = $1 and state = 'pending'", [jobId]);
    await settled();
    const [done] = await query<{ state: string }>('select state from jobs where id = $1', [jobId]);
    expect(done!.state).toBe('completed');
    const posted = slack.posted();
    expect(posted).toHaveLength(2);
    expect(posted[1]!.args.text).toContain('Move the launch to Monday?');
  });
});
