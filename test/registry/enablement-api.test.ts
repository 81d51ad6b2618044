/**
 * The enablement API: the installed catalog, a workspace's extensions, and PUT with
 * its validation (400, nothing stored), dependency rules (409), events and hooks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from '../../kernel/contract/index.ts';
import { type HookCall, installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

const hooks: HookCall[] = [];
const baseSettings = z.object({
  level: z.number().int().min(1).max(10).default(3),
  label: z.string().max(20).default('plain'),
});

let t: TestKernel;
type User = Awaited<ReturnType<TestKernel['signup']>>;
let owner: User;

beforeAll(async () => {
  t = await createTestKernel({
    extensions: [
      installed(tinyExtension({ id: 'base', settings: baseSettings, tool: 'read', hooks })),
      installed(tinyExtension({ id: 'addon', requires: ['base'], hooks })),
      installed(tinyExtension({ id: 'addon-plus', requires: ['addon'], hooks })),
      installed(tinyExtension({ id: 'pinned', enablement: 'always', hooks })),
      installed(tinyExtension({ id: 'starter', enablement: 'default-on', hooks })),
    ],
  });
  owner = await t.signup('Owner');
});
afterAll(() => t?.close());
beforeEach(() => {
  hooks.length = 0;
});

const put = (user: User, workspaceId: string, extension: string, body: unknown) =>
  t.call('PUT', `/api/workspaces/${workspaceId}/extensions/${extension}`, { key: user.key, body });

async function extensionsOf(user: User, workspaceId = user.workspaceId) {
  const response = await t.call('GET', `/api/workspaces/${workspaceId}/extensions`, { key: user.key });
  expect(response.status).toBe(200);
  return Object.fromEntries(response.body.items.map((item: any) => [item.id, item]));
}

async function eventsOf(workspaceId: string) {
  return t.kernel.services.database.query<{ type: string; entity_id: string; data: any; actor_id: string }>(
    `select type, entity_id, data, actor_id from events where workspace_id = $1 and type like 'extension.%' order by id`,
    [workspaceId],
  );
}

async function newWorkspace(user: User) {
  const response = await t.call('POST', '/api/workspaces', { key: user.key, body: { name: 'Fresh' } });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('GET /api/extensions', () => {
  it('lists the installed extensions with their catalog fields', async () => {
    const response = await t.call('GET', '/api/extensions', { key: owner.key });
    expect(response.status).toBe(200);
    const base = response.body.items.find((item: any) => item.id === 'base');
    expect(base).toEqual({
      id: 'base',
      version: '1.0.0',
      description: 'Test extension base',
      tier: 'third-party',
      mount_path: '/api/m/base',
      requires: [],
      enablement: 'opt-in',
      status: 'ready',
      failure: null,
      tools: ['base_read'],
      events: [],
      settings_schema: expect.objectContaining({ type: 'object' }),
      config_variables: [],
    });
    expect(base.settings_schema.properties.level).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10,
      default: 3,
    });
    const addon = response.body.items.find((item: any) => item.id === 'addon');
    expect(addon.requires).toEqual(['base']);
  });

  it('needs an API key', async () => {
    expect((await t.call('GET', '/api/extensions')).status).toBe(401);
  });
});

describe('GET /api/workspaces/:id/extensions', () => {
  it('shows which are enabled, with effective settings (defaults applied)', async () => {
    const user = await t.signup('Reader');
    const items = await extensionsOf(user);
    expect(items.base).toEqual({
      id: 'base',
      enabled: false,
      enablement: 'opt-in',
      status: 'ready',
      mount_path: '/api/m/base',
      requires: [],
      settings: { level: 3, label: 'plain' },
      secrets: {},
    });
    expect(items.pinned.enabled).toBe(true);
    expect(items.starter.enabled).toBe(true);
  });

  it('hands the extension its settings with defaults applied', async () => {
    const user = await t.signup('Defaults');
    await put(user, user.workspaceId, 'base', { enabled: true, settings: { level: 7 } });
    const response = await t.call('GET', '/api/m/base', { key: user.key, workspace: user.workspaceId });
    expect(response.status).toBe(200);
    expect(response.body.settings).toEqual({ level: 7, label: 'plain' });
  });
});

describe('PUT /api/workspaces/:id/extensions/:ext', () => {
  it('refuses invalid settings with details and stores nothing', async () => {
    const user = await t.signup('Invalid');
    hooks.length = 0; // signup ran the default-on extensions' hooks
    const before = await eventsOf(user.workspaceId);
    const response = await put(user, user.workspaceId, 'base', { enabled: true, settings: { level: 99 } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.message).toBe('Invalid settings for extension "base"');
    expect(response.body.error.details).toEqual([{ path: 'settings.level', message: expect.any(String) }]);
    const items = await extensionsOf(user);
    expect(items.base).toMatchObject({ enabled: false, settings: { level: 3, label: 'plain' } });
    expect(await eventsOf(user.workspaceId)).toEqual(before);
    expect(hooks).toEqual([]);
  });

  it('refuses settings for an extension that has none', async () => {
    const response = await put(owner, owner.workspaceId, 'starter', { settings: { anything: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('Invalid settings for extension "starter"');
  });

  it('refuses to enable an extension whose requires are not enabled, naming them', async () => {
    const user = await t.signup('Missing');
    const response = await put(user, user.workspaceId, 'addon-plus', { enabled: true });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: 'CONFLICT',
      message:
        'Extension "addon-plus" requires "base", "addon", not enabled in this workspace. Enable them first, or send "enable_requires": true to enable them in the same call.',
    });
    expect((await extensionsOf(user))['addon-plus'].enabled).toBe(false);
  });

  it('enables the requires in the same call with enable_requires, writing events and running hooks', async () => {
    const user = await t.signup('Chain');
    hooks.length = 0;
    const before = (await eventsOf(user.workspaceId)).length;
    const response = await put(user, user.workspaceId, 'addon-plus', {
      enabled: true,
      enable_requires: true,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'addon-plus', enabled: true });
    const items = await extensionsOf(user);
    expect([items.base.enabled, items.addon.enabled, items['addon-plus'].enabled]).toEqual([
      true,
      true,
      true,
    ]);
    const events = (await eventsOf(user.workspaceId)).slice(before);
    expect(events.map((e) => [e.type, e.entity_id])).toEqual([
      ['extension.enabled', 'base'],
      ['extension.enabled', 'addon'],
      ['extension.enabled', 'addon-plus'],
    ]);
    expect(events.every((e) => e.actor_id === user.actorId && e.data.version === '1.0.0')).toBe(true);
    expect(hooks.map((h) => [h.hook, h.extension, h.workspaceId])).toEqual([
      ['onEnabled', 'base', user.workspaceId],
      ['onEnabled', 'addon', user.workspaceId],
      ['onEnabled', 'addon-plus', user.workspaceId],
    ]);
  });

  it('refuses to disable an extension that an enabled one requires, naming it', async () => {
    const user = await t.signup('Needed');
    await put(user, user.workspaceId, 'addon', { enabled: true, enable_requires: true });
    const response = await put(user, user.workspaceId, 'base', { enabled: false });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toBe(
      'Extension "base" is required by "addon", enabled in this workspace. Disable it first.',
    );
    expect((await extensionsOf(user)).base.enabled).toBe(true);
  });

  it('refuses to disable an `always` extension', async () => {
    const response = await put(owner, owner.workspaceId, 'pinned', { enabled: false });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toBe('Extension "pinned" is always enabled and cannot be disabled');
  });

  it('disables with an event and the onDisabled hook', async () => {
    const user = await t.signup('Disabler');
    await put(user, user.workspaceId, 'base', { enabled: true, settings: { label: 'kept' } });
    hooks.length = 0;
    const response = await put(user, user.workspaceId, 'base', { enabled: false });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ enabled: false, settings: { level: 3, label: 'kept' } });
    expect(hooks).toEqual([
      {
        hook: 'onDisabled',
        extension: 'base',
        workspaceId: user.workspaceId,
        settings: { level: 3, label: 'kept' },
      },
    ]);
    const [last] = (await eventsOf(user.workspaceId)).slice(-1);
    expect(last).toMatchObject({ type: 'extension.disabled', entity_id: 'base' });
  });

  it('updates settings with an extension.settings_updated event', async () => {
    const user = await t.signup('Settings');
    const response = await put(user, user.workspaceId, 'base', { settings: { level: 5 } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ enabled: false, settings: { level: 5, label: 'plain' } });
    const [last] = (await eventsOf(user.workspaceId)).slice(-1);
    expect(last).toMatchObject({
      type: 'extension.settings_updated',
      entity_id: 'base',
      data: { settings: { level: 5, label: 'plain' } },
    });
  });

  it('answers 404 for an extension that is not installed', async () => {
    const response = await put(owner, owner.workspaceId, 'nope', { enabled: true });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('Extension "nope" is not installed');
  });

  it('is for admins to change (viewers and members get 403) and members to read; non-members 404', async () => {
    const viewer = await t.signup('Viewer');
    const member = await t.signup('Member');
    const stranger = await t.signup('Stranger');
    for (const [user, role] of [
      [viewer, 'viewer'],
      [member, 'member'],
    ] as const) {
      await inviteAndAccept(t, owner.key, owner.workspaceId, user, role);
      const response = await put(user, owner.workspaceId, 'base', { enabled: true });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
      // Reading settings needs member: a viewer gets 403.
      const read = await t.call('GET', `/api/workspaces/${owner.workspaceId}/extensions`, { key: user.key });
      expect(read.status).toBe(role === 'viewer' ? 403 : 200);
    }
    expect((await put(stranger, owner.workspaceId, 'base', { enabled: true })).status).toBe(404);
    const list = await t.call('GET', `/api/workspaces/${owner.workspaceId}/extensions`, {
      key: stranger.key,
    });
    expect(list.status).toBe(404);
    expect((await extensionsOf(owner)).base.enabled).toBe(false);
  });
});

describe('new workspaces', () => {
  it('get the default-on and always extensions, not the opt-in ones', async () => {
    const workspaceId = await newWorkspace(owner);
    const items = await extensionsOf(owner, workspaceId);
    expect(items.starter.enabled).toBe(true);
    expect(items.pinned.enabled).toBe(true);
    expect(items.base.enabled).toBe(false);
    expect(items.addon.enabled).toBe(false);
    const events = await eventsOf(workspaceId);
    expect(events.map((e) => e.entity_id).sort()).toEqual(['pinned', 'starter']);
    expect(
      hooks
        .filter((h) => h.workspaceId === workspaceId)
        .map((h) => h.extension)
        .sort(),
    ).toEqual(['pinned', 'starter']);
  });
});
