/**
 * Humans in the loop, end to end with real parts: a real agent process in a session
 * asks a human a question through MCP (ask_human) and pauses; the human answers over
 * HTTP; agent-wakeups resumes the paused session through sessions, and the resumed
 * agent process sees the answer in its prompt. A second answer is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from '../sessions/harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(async () => {
  await bench?.close();
});

it('an agent asks, the human answers, the paused session resumes with the answer', async () => {
  const session = await bench.start(`ask=${bench.owner.actorId} pause=1 long=1`);
  await bench.waitStatus(session.id, ['paused'], 60_000);
  const asked = (await bench.logs(session.id))
    .map((line) => line.text)
    .find((text) => text.startsWith('asked: '));
  const notificationId = asked?.slice('asked: '.length);
  expect(notificationId).toMatch(/^[0-9a-f-]{36}$/);

  // the human sees the question addressed to them, with the asking session
  const inbox = await bench.call('GET', '/api/notifications?unread=true');
  const question = inbox.body.items.find((item: any) => item.id === notificationId);
  expect(question).toMatchObject({ type: 'needs_input', title: 'Ship the release today?' });
  expect(question.metadata.session_id).toBe(session.id);

  const answered = await bench.call('POST', `/api/notifications/${notificationId}/respond`, {
    value: true,
    comment: 'go ahead',
  });
  expect(answered.status, JSON.stringify(answered.body)).toBe(200);
  const again = await bench.call('POST', `/api/notifications/${notificationId}/respond`, { value: false });
  expect(again.status).toBe(409);

  // resumed in place: the same session runs again and its agent reads the answer
  const done = await bench.waitStatus(session.id, ['completed'], 60_000);
  expect(done.id).toBe(session.id);
  const texts = (await bench.logs(session.id)).map((line) => line.text);
  const resumed = texts.find((text) => text.startsWith('resumed with: '));
  expect(resumed).toContain(notificationId);
  expect(resumed).toContain('answer: true');
  expect(resumed).toContain('comment: go ahead');
  const types = (await bench.eventsOf(session.id)).map((event: any) => event.type);
  expect(types).toContain('session.paused');
  expect(types).toContain('session.resumed');
}, 180_000);
