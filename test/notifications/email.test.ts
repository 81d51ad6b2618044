/**
 * The email channel against a real SMTP server (smtp-server on 127.0.0.1): an
 * immediate email for the types a person wants, a digest of the rest on demand,
 * preferences that turn both off. Jobs are awaited through their rows (state
 * completed), never by sleeping.
 */
import type { AddressInfo } from 'node:net';
import { eventsOf, type Member, type TestKernel, waitFor } from '@maskin/test-kit';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../helpers/work-graph.ts';
import { addAgent, notificationKernel } from './kernel.ts';

interface Mail {
  to: string[];
  raw: string;
}

let t: TestKernel;
let smtp: SMTPServer;
const inbox: Mail[] = [];
let human: Member & { email: string };
let agent: Member;

const as = (member: Member, body?: unknown) => ({ key: member.key, workspace: member.workspaceId, body });

async function notify(body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/notifications', as(agent, body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Waits until every job of notifications is finished, then returns the mail so far. */
async function settled(): Promise<Mail[]> {
  await waitFor(async () => {
    const rows = await t.kernel.services.database.query(
      "select 1 from jobs where extension_id = 'notifications' and state in ('pending', 'running') and workspace_id is not null limit 1",
    );
    return rows.length === 0;
  });
  return [...inbox];
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  t = await notificationKernel({
    MASKIN_EXT_NOTIFICATIONS_SMTP_URL: `smtp://127.0.0.1:${port}`,
    MASKIN_EXT_NOTIFICATIONS_EMAIL_FROM: 'Maskin <maskin@example.test>',
  });
  const signup = await t.signup('Hanne');
  human = { key: signup.key, actorId: signup.actorId, workspaceId: signup.workspaceId, email: signup.email };
  agent = await addAgent(t, human, 'Asker');
});

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('email channel', () => {
  it('emails a question at once; good news waits for the digest; a second digest sends nothing new', async () => {
    const question = await notify({
      type: 'needs_input',
      target_actor_id: human.actorId,
      title: 'Approve the Q3 plan?',
      metadata: { input_type: 'confirmation' },
    });
    const news = await notify({
      type: 'good_news',
      target_actor_id: human.actorId,
      title: 'Churn fell by 2%',
    });
    const mail = await settled();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual([human.email]);
    expect(mail[0]!.raw).toContain('Subject: [Maskin] Approve the Q3 plan?');
    expect(mail[0]!.raw).toContain('maskin@example.test');
    expect(mail[0]!.raw).toContain(`notification-${question.id}@maskin`);
    const emailed = await eventsOf(t, human.workspaceId, ['notification']);
    expect(emailed.filter((e) => e.type === 'notification.emailed').map((e) => e.entity_id)).toEqual([
      question.id,
    ]);

    // Members cannot run the digest; the owner (an admin) can.
    const member = await addMember(t, human, 'member', 'Member');
    expect((await t.call('POST', '/api/notifications/digest', as(member))).status).toBe(403);
    const digest = await t.call('POST', '/api/notifications/digest', as(human));
    expect(digest.status).toBe(202);
    const requested = (await eventsOf(t, human.workspaceId, ['workspace'])).filter(
      (e) => e.type === 'notification.digest_requested',
    );
    expect(requested.map((e) => e.data.job_id)).toEqual([digest.body.job_id]);
    const afterDigest = await settled();
    expect(afterDigest).toHaveLength(2);
    expect(afterDigest[1]!.raw).toContain('Subject: [Maskin] 1 unread notification');
    expect(afterDigest[1]!.raw).toContain('Churn fell by 2%');
    expect(afterDigest[1]!.raw).not.toContain('Approve the Q3 plan?'); // emailed already
    const digests = (await eventsOf(t, human.workspaceId, ['actor'])).filter(
      (e) => e.type === 'notification.digest_emailed',
    );
    expect(digests.map((e) => e.data.notification_ids)).toEqual([[news.id]]);

    expect((await t.call('POST', '/api/notifications/digest', as(human))).status).toBe(202);
    expect(await settled()).toHaveLength(2);
  });

  it('preferences turn email and digests off; agents are never emailed', async () => {
    const before = (await settled()).length;
    const defaults = await t.call('GET', '/api/notifications/preferences', as(human));
    expect(defaults.body).toEqual({ email_types: ['needs_input'], digest: 'daily', channels: {} });
    const changed = await t.call(
      'PATCH',
      '/api/notifications/preferences',
      as(human, { email_types: [], digest: 'off' }),
    );
    expect(changed.body).toEqual({ email_types: [], digest: 'off', channels: {} });
    expect(
      (await t.call('PATCH', '/api/notifications/preferences', as(human, { digest: 'hourly' }))).status,
    ).toBe(400);

    await notify({ type: 'alert', target_actor_id: human.actorId, title: 'Build broken' });
    await t.call(
      'POST',
      '/api/notifications',
      as(human, { type: 'alert', target_actor_id: agent.actorId, title: 'For the bot' }),
    );
    expect((await t.call('POST', '/api/notifications/digest', as(human))).status).toBe(202);
    expect(await settled()).toHaveLength(before);

    await t.call('PATCH', '/api/notifications/preferences', as(human, { email_types: ['alert'] }));
    await notify({ type: 'alert', target_actor_id: human.actorId, title: 'Build broken again' });
    const mail = await settled();
    expect(mail).toHaveLength(before + 1);
    expect(mail.at(-1)!.raw).toContain('Build broken again');
  });
});
