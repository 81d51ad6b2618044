/**
 * A skill attached to an agent is in its session's working directory where Claude
 * Code looks for it (.claude/skills/<name>/SKILL.md), as the real fake-agent process
 * reads it; an agent without the attachment gets no skill.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(async () => {
  await bench?.close();
});

const SKILL =
  '---\nname: release-notes\ndescription: Writes release notes from finished tasks\n---\nList every done task.\n';

it('materialises attached skills into the session working directory', async () => {
  const skill = await bench.call('POST', '/api/sessions/skills', {
    content: SKILL,
    files: [{ path: 'template.md', content: '# Release {{version}}' }],
  });
  expect(skill.status, JSON.stringify(skill.body)).toBe(201);
  const attached = await bench.call(
    'PUT',
    `/api/sessions/skills/${skill.body.id}/attachments/${bench.agentId}`,
    {},
  );
  expect(attached.status, JSON.stringify(attached.body)).toBe(200);

  const session = await bench.start('show=.claude/skills/release-notes/SKILL.md');
  await bench.waitStatus(session.id, ['completed']);
  const texts = (await bench.logs(session.id)).map((line) => line.text);
  expect(texts).toContain(`show: ${SKILL.replaceAll('\n', '|')}`);

  const extra = await bench.start('show=.claude/skills/release-notes/template.md');
  await bench.waitStatus(extra.id, ['completed']);
  expect((await bench.logs(extra.id)).map((line) => line.text)).toContain('show: # Release {{version}}');

  const other = await bench.createAgent('No skills');
  const created = await bench.call('POST', '/api/sessions', {
    agent_id: other,
    prompt: 'show=.claude/skills/release-notes/SKILL.md',
  });
  await bench.waitStatus(created.body.id, ['completed']);
  expect((await bench.logs(created.body.id)).map((line) => line.text)).toContain('show: missing');
});
