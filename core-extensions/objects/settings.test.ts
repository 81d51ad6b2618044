import { as, createTestKernel, type Member, setObjectsSettings, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

const create = (member: Member, body: unknown) => t.call('POST', '/api/objects', as(member, { body }));

describe('settings: custom types and fields', () => {
  let admin: Member;
  beforeAll(async () => {
    admin = await t.signup('Ada');
    await setObjectsSettings(t, admin, {
      types: {
        task: {
          display_name: 'Task',
          statuses: ['todo', 'done'],
          fields: {
            points: { type: 'number', required: true },
            due: { type: 'date' },
            size: { type: 'enum', options: ['s', 'm', 'l'] },
            urgent: { type: 'boolean' },
            note: { type: 'text' },
          },
        },
        bug: {
          display_name: 'Bug',
          statuses: ['open', 'fixed'],
          strict_metadata: true,
          fields: { area: { type: 'text' } },
        },
      },
    });
  });

  it('validates every field type and required fields on create', async () => {
    const ok = await create(admin, {
      type: 'task',
      title: 'Typed',
      metadata: { points: 3, due: '2025-03-01', size: 'm', urgent: true, note: 'hi', extra: 'kept' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.metadata).toEqual({
      points: 3,
      due: '2025-03-01',
      size: 'm',
      urgent: true,
      note: 'hi',
      extra: 'kept',
    });
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'metadata.points'],
      [{ points: 'three' }, 'metadata.points'],
      [{ points: 1, due: 'tomorrow' }, 'metadata.due'],
      [{ points: 1, size: 'xl' }, 'metadata.size'],
      [{ points: 1, urgent: 'yes' }, 'metadata.urgent'],
      [{ points: 1, note: 42 }, 'metadata.note'],
    ];
    for (const [metadata, path] of cases) {
      const res = await create(admin, { type: 'task', title: 'x', metadata });
      expect(res.status, JSON.stringify(metadata)).toBe(400);
      expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
    }
  });

  it('refuses undeclared metadata keys for a strict type, and the replaced default types', async () => {
    const res = await create(admin, { type: 'bug', title: 'x', metadata: { area: 'ui', severity: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('metadata.severity');
    expect((await create(admin, { type: 'insight', title: 'gone' })).status).toBe(400);
  });

  it('refuses invalid settings without storing them', async () => {
    const res = await t.call('PUT', `/api/workspaces/${admin.workspaceId}/extensions/objects`, {
      key: admin.key,
      body: { settings: { types: { task: { display_name: 'T', statuses: [] } } } },
    });
    expect(res.status).toBe(400);
    const enumWithoutOptions = await t.call(
      'PUT',
      `/api/workspaces/${admin.workspaceId}/extensions/objects`,
      {
        key: admin.key,
        body: {
          settings: { types: { t: { display_name: 'T', statuses: ['a'], fields: { f: { type: 'enum' } } } } },
        },
      },
    );
    expect(enumWithoutOptions.status).toBe(400);
    expect((await create(admin, { type: 'bug', title: 'still configured' })).status).toBe(201);
  });

  it('reads only the metadata sent, even for a field named like an Object.prototype member', async () => {
    const owner = await t.signup('Proto');
    await setObjectsSettings(t, owner, {
      types: {
        note: {
          display_name: 'Note',
          statuses: ['open'],
          fields: { constructor: { type: 'text' }, hint: { type: 'text', required: true } },
        },
      },
    });
    const optional = await create(owner, {
      type: 'note',
      title: 'No constructor sent',
      metadata: { hint: 'h' },
    });
    expect(optional.status).toBe(201);
    const sent = await create(owner, {
      type: 'note',
      title: 'Sent',
      metadata: { hint: 'h', constructor: 'c' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.metadata).toEqual({ hint: 'h', constructor: 'c' });
  });

  it('validates the merged metadata on PATCH: null removes a key, but not a required one', async () => {
    const made = await create(admin, {
      type: 'task',
      title: 'Merge me',
      metadata: { points: 2, note: 'a', urgent: false },
    });
    const merged = await t.call(
      'PATCH',
      `/api/objects/${made.body.id}`,
      as(admin, { body: { metadata: { note: null, size: 's' } } }),
    );
    expect(merged.status).toBe(200);
    expect(merged.body.metadata).toEqual({ points: 2, urgent: false, size: 's' });
    const removeRequired = await t.call(
      'PATCH',
      `/api/objects/${made.body.id}`,
      as(admin, { body: { metadata: { points: null } } }),
    );
    expect(removeRequired.status).toBe(400);
    expect(removeRequired.body.error.details[0].path).toBe('metadata.points');
    const badStatus = await t.call(
      'PATCH',
      `/api/objects/${made.body.id}`,
      as(admin, { body: { status: 'new' } }),
    );
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details[0].path).toBe('status');
  });
});

describe('settings that existing objects contradict', () => {
  const put = (member: Member, settings: unknown) =>
    t.call('PUT', `/api/workspaces/${member.workspaceId}/extensions/objects`, {
      key: member.key,
      body: { settings },
    });
  const task = (statuses: string[]) => ({ display_name: 'Task', statuses });
  const settingsEvents = async (member: Member) =>
    (
      await t.testDatabase.database.query<{ n: string }>(
        "select count(*) as n from events where workspace_id = $1 and type = 'extension.settings_updated'",
        [member.workspaceId],
      )
    )[0]!.n;

  it('refuses to drop a type or a status still in use (409 naming them), and stores nothing', async () => {
    const admin = await t.signup('Stella');
    await setObjectsSettings(t, admin, {
      types: { task: task(['todo', 'doing', 'done']), bug: task(['open']) },
    });
    expect(
      (
        await create(admin, [
          { type: 'task', title: 'A', status: 'doing' },
          { type: 'bug', title: 'B' },
        ])
      ).status,
    ).toBe(201);
    const eventsBefore = await settingsEvents(admin);

    const dropsType = await put(admin, { types: { task: task(['todo', 'doing', 'done']) } });
    expect(dropsType.status).toBe(409);
    expect(dropsType.body.error.message).toContain('type "bug" is used by 1 object in status "open"');

    const dropsStatus = await put(admin, { types: { task: task(['todo', 'done']), bug: task(['open']) } });
    expect(dropsStatus.status).toBe(409);
    expect(dropsStatus.body.error.message).toContain('status "doing" of type "task" is used by 1 object');

    expect(await settingsEvents(admin)).toBe(eventsBefore);
    const stored = await t.call('GET', `/api/workspaces/${admin.workspaceId}/extensions`, { key: admin.key });
    const objects = stored.body.items.find((item: { id: string }) => item.id === 'objects');
    expect(Object.keys(objects.settings.types).sort()).toEqual(['bug', 'task']);
    expect(objects.settings.types.task.statuses).toEqual(['todo', 'doing', 'done']);
  });

  it('allows dropping what no object uses, and adding types and statuses', async () => {
    const admin = await t.signup('Nils');
    await setObjectsSettings(t, admin, {
      types: { task: task(['todo', 'doing', 'done']), bug: task(['open']) },
    });
    expect((await create(admin, { type: 'task', title: 'A', status: 'todo' })).status).toBe(201);
    const changed = await put(admin, {
      types: { task: task(['todo', 'done', 'archived']), idea: task(['new']) },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  });

  it('lets a type go once its objects are gone', async () => {
    const admin = await t.signup('Vera');
    await setObjectsSettings(t, admin, { types: { task: task(['todo']), bug: task(['open']) } });
    const bug = await create(admin, { type: 'bug', title: 'Crash' });
    expect((await put(admin, { types: { task: task(['todo']) } })).status).toBe(409);
    expect((await t.call('DELETE', `/api/objects/${bug.body.id}`, as(admin))).status).toBe(204);
    expect((await put(admin, { types: { task: task(['todo']) } })).status).toBe(200);
  });

  it('refuses a required field, a removed enum option or a new field kind that objects contradict', async () => {
    const admin = await t.signup('Fritz');
    const fields = (extra: Record<string, unknown>) => ({
      types: {
        task: { ...task(['todo']), fields: { size: { type: 'enum', options: ['s', 'm', 'l'] }, ...extra } },
      },
    });
    await setObjectsSettings(t, admin, fields({ points: { type: 'number' } }));
    const made = await create(admin, [
      { type: 'task', title: 'Sized', metadata: { size: 'm', points: 3 } },
      { type: 'task', title: 'Bare' },
    ]);
    expect(made.status).toBe(201);

    const required = await put(admin, fields({ points: { type: 'number', required: true } }));
    expect(required.status).toBe(409);
    expect(required.body.error.message).toContain(
      '1 object of type "task" would fail metadata.points (required',
    );

    const narrowed = await put(admin, {
      types: { task: { ...task(['todo']), fields: { size: { type: 'enum', options: ['s', 'l'] } } } },
    });
    expect(narrowed.status).toBe(409);
    expect(narrowed.body.error.message).toContain('metadata.size');

    const retyped = await put(admin, fields({ points: { type: 'text' } }));
    expect(retyped.status).toBe(409);
    expect(retyped.body.error.message).toContain('metadata.points');

    expect((await put(admin, fields({ points: { type: 'number' }, due: { type: 'date' } }))).status).toBe(
      200,
    );
    const patched = await t.call(
      'PATCH',
      `/api/objects/${made.body.items[1].id}`,
      as(admin, { body: { metadata: { points: 1 } } }),
    );
    expect(patched.status).toBe(200);
    expect((await put(admin, fields({ points: { type: 'number', required: true } }))).status).toBe(200);
  });
});
