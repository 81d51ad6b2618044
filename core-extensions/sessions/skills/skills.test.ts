/**
 * Skills over HTTP on a real kernel (the sessions stand-in in test-fixture.ts mounts
 * the routes and runs 0002_skills.sql), and materializeSkills writing the exact files.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  addMember,
  as,
  createTestKernel,
  eventsOf,
  installed,
  type Member,
  type TestKernel,
} from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materializeSkills } from './index.ts';
import { sessionsWithSkillsOnly } from './test-fixture.ts';

let t: TestKernel;
let owner: Member;

const skillMd = (name: string, description: string, body = 'Do the thing.') =>
  `---\nname: ${name}\ndescription: ${description}\nallowed-tools: Bash, Read\n---\n\n# ${name}\n\n${body}\n`;

const base = '/api/sessions/skills';

async function createAgent(admin: Member, name = 'Scout'): Promise<string> {
  const agent = await t.call('POST', '/api/actors/agents', { ...as(admin), body: { name } });
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
  return agent.body.id;
}

async function createSkill(member: Member, body: unknown) {
  return t.call('POST', base, { ...as(member), body });
}

async function upload(member: Member, form: FormData) {
  const response = await t.kernel.app.request(`${base}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${member.key}`, 'x-workspace-id': member.workspaceId },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every file under `dir` with its bytes and mode, by relative path. */
async function tree(dir: string): Promise<Record<string, { text: string; mode: number }>> {
  const out: Record<string, { text: string; mode: number }> = {};
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        out[relative(dir, path)] = {
          text: (await readFile(path)).toString('base64'),
          mode: (await stat(path)).mode & 0o777,
        };
    }
  };
  await walk(dir);
  return out;
}

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(sessionsWithSkillsOnly, { tier: 'core' })] });
  owner = await t.signup('Owner');
});
afterAll(() => t?.close());

describe('the skill library', () => {
  it('creates a skill from text, records skill.created, and refuses the same name again', async () => {
    const created = await createSkill(owner, {
      content: skillMd('release-notes', 'Writes release notes from merged changes'),
      files: [{ path: 'templates/notes.md', content: '# Notes\n' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'release-notes',
      description: 'Writes release notes from merged changes',
      latest_version: 1,
      created: true,
      version: { version: 1, files: [{ path: 'templates/notes.md', size: 8, executable: false }] },
    });
    const again = await createSkill(owner, { content: skillMd('release-notes', 'Another') });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const events = await eventsOf(t, owner.workspaceId, ['skill']);
    expect(events.filter((e) => e.entity_id === created.body.id).map((e) => e.type)).toEqual([
      'skill.created',
    ]);
  });

  it('validates the front matter and file paths, naming each problem, and stores nothing', async () => {
    const before = await t.call('GET', `${base}?limit=200`, as(owner));
    const cases: [unknown, string][] = [
      [{ content: '# no front matter' }, 'content'],
      [{ content: '---\nname: x\n' }, 'content'],
      [{ content: skillMd('Bad_Name', 'd') }, 'content.name'],
      [{ content: '---\nname: ok-name\n---\nbody' }, 'content.description'],
      [{ content: skillMd('fine', 'd'), files: [{ path: '../escape.sh', content: 'x' }] }, 'files[0].path'],
      [{ content: skillMd('fine', 'd'), files: [{ path: '/etc/passwd', content: 'x' }] }, 'files[0].path'],
      [{ content: skillMd('fine', 'd'), files: [{ path: 'SKILL.md', content: 'x' }] }, 'files[0].path'],
      [
        {
          content: skillMd('fine', 'd'),
          files: [
            { path: 'a', content: 'x' },
            { path: 'a/b', content: 'y' },
          ],
        },
        'files[1].path',
      ],
      [{ content: skillMd('fine', 'x'.repeat(1025)) }, 'content.description'],
    ];
    for (const [body, path] of cases) {
      const result = await createSkill(owner, body);
      expect(result.status, JSON.stringify(result.body)).toBe(400);
      expect(result.body.error.code).toBe('VALIDATION_ERROR');
      expect(result.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const after = await t.call('GET', `${base}?limit=200`, as(owner));
    expect(after.body.items).toEqual(before.body.items);
  });

  it('reads block scalars and quoted values in the front matter', async () => {
    const content = `---\nname: "quoted-skill"\ndescription: >\n  Folded over\n  two lines\nmetadata:\n  owner: team\n---\nbody\n`;
    const created = await createSkill(owner, { content });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'quoted-skill', description: 'Folded over two lines' });
  });

  it('lets viewers read, members and viewers not write (skills steer agents: admin only)', async () => {
    const member = await addMember(t, owner, 'member', 'Member');
    const viewer = await addMember(t, owner, 'viewer', 'Viewer');
    const denied = await createSkill(member, { content: skillMd('member-skill', 'd') });
    expect(denied.status).toBe(403);
    const list = await t.call('GET', base, as(viewer));
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
  });

  it('keeps every version and pages lists by keyset', async () => {
    const created = await createSkill(owner, { content: skillMd('triage', 'Triage v1', 'one') });
    const id = created.body.id;
    const v2 = await t.call('POST', `${base}/${id}/versions`, {
      ...as(owner),
      body: { content: skillMd('triage', 'Triage v2', 'two') },
    });
    expect(v2.status, JSON.stringify(v2.body)).toBe(201);
    expect(v2.body).toMatchObject({ latest_version: 2, description: 'Triage v2', created: false });
    const renamed = await t.call('POST', `${base}/${id}/versions`, {
      ...as(owner),
      body: { content: skillMd('other-name', 'x') },
    });
    expect(renamed.status).toBe(400);

    const latest = await t.call('GET', `${base}/${id}`, as(owner));
    expect(latest.body.version).toMatchObject({ version: 2, content: skillMd('triage', 'Triage v2', 'two') });
    const first = await t.call('GET', `${base}/${id}/versions/1`, as(owner));
    expect(first.body).toMatchObject({ version: 1, content: skillMd('triage', 'Triage v1', 'one') });
    expect((await t.call('GET', `${base}/${id}/versions/3`, as(owner))).status).toBe(404);

    const versions = await t.call('GET', `${base}/${id}/versions?limit=1`, as(owner));
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
    const next = await t.call(
      'GET',
      `${base}/${id}/versions?limit=1&cursor=${versions.body.next_cursor}`,
      as(owner),
    );
    expect(next.body).toMatchObject({ items: [{ version: 1 }], next_cursor: null });

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; next_cursor: string | null } } = await t.call(
        'GET',
        `${base}?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        as(owner),
      );
      names.push(...page.body.items.map((item) => item.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('triage');
    expect(new Set(names).size).toBe(names.length);
    expect((await t.call('GET', `${base}?cursor=garbage`, as(owner))).status).toBe(400);
  });

  it('imports a skill from an upload, and a second upload of the same name adds a version', async () => {
    const form = new FormData();
    form.append('skill', new Blob([skillMd('deploy-check', 'Checks a deploy')]), 'SKILL.md');
    form.append('files/scripts/check.sh', new Blob(['#!/bin/sh\necho ok\n']), 'check.sh');
    form.append('files/data.bin', new Blob([Uint8Array.from([0, 255, 1, 254])]), 'data.bin');
    form.append('executable', 'scripts/check.sh');
    const first = await upload(owner, form);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ name: 'deploy-check', created: true, latest_version: 1 });
    expect(first.body.version.files).toEqual([
      { path: 'scripts/check.sh', size: 18, executable: true },
      { path: 'data.bin', size: 4, executable: false },
    ]);

    const again = new FormData();
    again.append('skill', new Blob([skillMd('deploy-check', 'Checks a deploy, v2')]), 'SKILL.md');
    const second = await upload(owner, again);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ id: first.body.id, created: false, latest_version: 2 });

    const bad = new FormData();
    bad.append('skill', new Blob([skillMd('deploy-check', 'd')]), 'SKILL.md');
    bad.append('files/../x', new Blob(['x']), 'x');
    expect((await upload(owner, bad)).status).toBe(400);
    const missing = new FormData();
    missing.append('files/a.txt', new Blob(['x']), 'a.txt');
    expect((await upload(owner, missing)).status).toBe(400);
    const events = await eventsOf(t, owner.workspaceId, ['skill']);
    expect(events.filter((e) => e.entity_id === first.body.id).map((e) => e.type)).toEqual([
      'skill.created',
      'skill.updated',
    ]);
  });
  it('numbers concurrent updates of one skill without gaps or duplicates (row lock)', async () => {
    const created = await createSkill(owner, { content: skillMd('busy', 'v1') });
    const updates = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.call('POST', `${base}/${created.body.id}/versions`, {
          ...as(owner),
          body: { content: skillMd('busy', `u${i}`) },
        }),
      ),
    );
    expect(updates.map((u) => u.status)).toEqual([201, 201, 201, 201, 201]);
    expect(updates.map((u) => u.body.version.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await t.call('GET', `${base}/${created.body.id}`, as(owner))).body.latest_version).toBe(6);
  });

  it('refuses an uploaded file over 1 MiB with 413 and stores nothing', async () => {
    const form = new FormData();
    form.append('skill', new Blob([skillMd('too-big', 'd')]), 'SKILL.md');
    form.append('files/big.bin', new Blob([new Uint8Array(1024 * 1024 + 1)]), 'big.bin');
    const result = await upload(owner, form);
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const list = await t.call('GET', `${base}?limit=200`, as(owner));
    expect(list.body.items.map((s: { name: string }) => s.name)).not.toContain('too-big');
  });
});

describe('attachments and materializeSkills', () => {
  it('attaches to agents only, pins or follows the latest, and writes exactly the attached files', async () => {
    const agentId = await createAgent(owner);
    const otherAgent = await createAgent(owner, 'Other');
    const a = await createSkill(owner, {
      content: skillMd('alpha', 'Alpha v1', 'alpha one'),
      files: [
        { path: 'scripts/run.sh', content: '#!/bin/sh\necho alpha\n', executable: true },
        { path: 'ref/blob.bin', content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' },
      ],
    });
    const b = await createSkill(owner, { content: skillMd('beta', 'Beta v1', 'beta one') });
    const unattached = await createSkill(owner, { content: skillMd('gamma', 'Gamma') });
    expect([a.status, b.status, unattached.status]).toEqual([201, 201, 201]);
    await t.call('POST', `${base}/${a.body.id}/versions`, {
      ...as(owner),
      body: { content: skillMd('alpha', 'Alpha v2', 'alpha two') },
    });
    await t.call('POST', `${base}/${b.body.id}/versions`, {
      ...as(owner),
      body: { content: skillMd('beta', 'Beta v2', 'beta two') },
    });

    // alpha pinned to version 1 (with its files), beta following the latest (2).
    const pin = await t.call('PUT', `${base}/${a.body.id}/attachments/${agentId}`, {
      ...as(owner),
      body: { version: 1 },
    });
    expect(pin.status, JSON.stringify(pin.body)).toBe(200);
    expect(pin.body).toMatchObject({ skill_id: a.body.id, actor_id: agentId, pinned_version: 1 });
    const follow = await t.call('PUT', `${base}/${b.body.id}/attachments/${agentId}`, {
      ...as(owner),
      body: {},
    });
    expect(follow.body.pinned_version).toBeNull();
    await t.call('PUT', `${base}/${unattached.body.id}/attachments/${otherAgent}`, {
      ...as(owner),
      body: {},
    });

    // Attaching again with the same pin changes nothing and records nothing.
    const eventsBefore = await eventsOf(t, owner.workspaceId, ['skill']);
    const same = await t.call('PUT', `${base}/${a.body.id}/attachments/${agentId}`, {
      ...as(owner),
      body: { version: 1 },
    });
    expect(same.status).toBe(200);
    expect(await eventsOf(t, owner.workspaceId, ['skill'])).toEqual(eventsBefore);
    expect(eventsBefore.find((e) => e.type === 'skill.attached' && e.data.name === 'alpha')?.data).toEqual({
      name: 'alpha',
      agent_id: agentId,
      pinned_version: 1,
    });

    // Refusals: a human, a stranger, a version that does not exist, a member's key.
    const human = await t.call('PUT', `${base}/${a.body.id}/attachments/${owner.actorId}`, {
      ...as(owner),
      body: {},
    });
    expect(human.status).toBe(400);
    const stranger = await t.signup('Stranger');
    expect(
      (
        await t.call('PUT', `${base}/${a.body.id}/attachments/${stranger.actorId}`, {
          ...as(owner),
          body: {},
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await t.call('PUT', `${base}/${a.body.id}/attachments/${agentId}`, {
          ...as(owner),
          body: { version: 9 },
        })
      ).status,
    ).toBe(400);
    const member = await addMember(t, owner, 'member', 'Member2');
    expect(
      (await t.call('PUT', `${base}/${a.body.id}/attachments/${agentId}`, { ...as(member), body: {} }))
        .status,
    ).toBe(403);

    const attached = await t.call('GET', `${base}?actor_id=${agentId}`, as(owner));
    expect(attached.body.items.map((s: { name: string }) => s.name)).toEqual(['alpha', 'beta']);
    const listed = await t.call('GET', `${base}/${a.body.id}/attachments`, as(owner));
    expect(listed.body.items).toMatchObject([{ actor_id: agentId, pinned_version: 1 }]);

    const workingDir = await mkdtemp(join(tmpdir(), 'maskin-skills-'));
    try {
      const written = await materializeSkills(
        t.kernel.services.database.db,
        owner.workspaceId,
        agentId,
        workingDir,
      );
      expect(written).toEqual([
        {
          name: 'alpha',
          version: 1,
          files: [
            '.claude/skills/alpha/SKILL.md',
            '.claude/skills/alpha/scripts/run.sh',
            '.claude/skills/alpha/ref/blob.bin',
          ],
        },
        { name: 'beta', version: 2, files: ['.claude/skills/beta/SKILL.md'] },
      ]);
      const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
      expect(await tree(workingDir)).toEqual({
        '.claude/skills/alpha/SKILL.md': {
          text: b64(skillMd('alpha', 'Alpha v1', 'alpha one')),
          mode: 0o644,
        },
        '.claude/skills/alpha/scripts/run.sh': { text: b64('#!/bin/sh\necho alpha\n'), mode: 0o755 },
        '.claude/skills/alpha/ref/blob.bin': { text: b64(Buffer.from([0, 1, 2, 255])), mode: 0o644 },
        '.claude/skills/beta/SKILL.md': { text: b64(skillMd('beta', 'Beta v2', 'beta two')), mode: 0o644 },
      });
    } finally {
      await rm(workingDir, { recursive: true, force: true });
    }

    // Detach beta; unpin alpha (follows v2 now): the next materialization reflects both.
    expect((await t.call('DELETE', `${base}/${b.body.id}/attachments/${agentId}`, as(owner))).status).toBe(
      204,
    );
    expect((await t.call('DELETE', `${base}/${b.body.id}/attachments/${agentId}`, as(owner))).status).toBe(
      404,
    );
    await t.call('PUT', `${base}/${a.body.id}/attachments/${agentId}`, {
      ...as(owner),
      body: { version: null },
    });
    const next = await mkdtemp(join(tmpdir(), 'maskin-skills-'));
    try {
      const written = await materializeSkills(
        t.kernel.services.database.db,
        owner.workspaceId,
        agentId,
        next,
      );
      expect(written).toEqual([{ name: 'alpha', version: 2, files: ['.claude/skills/alpha/SKILL.md'] }]);
      expect(await tree(next)).toEqual({
        '.claude/skills/alpha/SKILL.md': {
          text: Buffer.from(skillMd('alpha', 'Alpha v2', 'alpha two')).toString('base64'),
          mode: 0o644,
        },
      });
    } finally {
      await rm(next, { recursive: true, force: true });
    }

    // Deleting a skill detaches it everywhere.
    expect((await t.call('DELETE', `${base}/${unattached.body.id}`, as(owner))).status).toBe(204);
    const empty = await t.call('GET', `${base}?actor_id=${otherAgent}`, as(owner));
    expect(empty.body.items).toEqual([]);
    const types = (await eventsOf(t, owner.workspaceId, ['skill'])).map((e) => e.type);
    expect(types).toContain('skill.detached');
    expect(types).toContain('skill.deleted');
  });

  it("never shows or touches another workspace's skills", async () => {
    const created = await createSkill(owner, { content: skillMd('private-skill', 'Mine') });
    const other = await t.signup('Other');
    const otherAgent = await createAgent(other, 'Theirs');
    expect((await t.call('GET', `${base}/${created.body.id}`, as(other))).status).toBe(404);
    expect((await t.call('DELETE', `${base}/${created.body.id}`, as(other))).status).toBe(404);
    expect(
      (
        await t.call('PUT', `${base}/${created.body.id}/attachments/${otherAgent}`, {
          ...as(other),
          body: {},
        })
      ).status,
    ).toBe(404);
    expect((await t.call('GET', base, as(other))).body.items).toEqual([]);
    // The same name is free in another workspace.
    expect((await createSkill(other, { content: skillMd('private-skill', 'Theirs') })).status).toBe(201);
    // And another workspace's agent gets nothing of ours.
    const dir = await mkdtemp(join(tmpdir(), 'maskin-skills-'));
    try {
      expect(
        await materializeSkills(t.kernel.services.database.db, owner.workspaceId, otherAgent, dir),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
