/**
 * Secret settings are write-only: set through the workspace-extension API, validated
 * by the manifest's `secrets` schema, encrypted at rest, readable in plaintext only by
 * the extension through secretSettingsRef. The plaintext must appear in no response,
 * no event row, no idempotency record, no stored row and no log line (captured at
 * debug level).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineExtension,
  type ExtensionSecretSettings,
  secretSettingsRef,
  z,
} from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { addMember, type Member } from '../helpers/work-graph.ts';

let secretSettings: ExtensionSecretSettings;
const digest = defineExtension({
  manifest: {
    id: 'digest',
    version: '1.0.0',
    kernel: '^1.0.0',
    enablement: 'default-on',
    description: 'Posts a digest to a webhook',
    settings: z.object({ hour: z.number().int().min(0).max(23).default(8) }),
    secrets: z.object({ webhook_url: z.string().url().optional(), token: z.string().min(8).optional() }),
  },
  deps: { secretSettings: secretSettingsRef },
  setup({ deps }) {
    secretSettings = deps.secretSettings;
    return {};
  },
});
const plain = defineExtension({
  manifest: {
    id: 'plain',
    version: '1.0.0',
    kernel: '^1.0.0',
    enablement: 'default-on',
    description: 'No secrets',
  },
  setup: () => ({}),
});

const logLines: string[] = [];
const responses: string[] = [];
const plaintext = `https://hooks.example.com/${randomBytes(12).toString('hex')}`;
const token = `tok-${randomBytes(12).toString('hex')}`;

let t: TestKernel;
let owner: Member;
let member: Member;
let viewer: Member;

const put = async (who: Member, body: unknown, headers: Record<string, string> = {}) => {
  const result = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/digest`, {
    key: who.key,
    body,
    headers,
  });
  responses.push(JSON.stringify(result.body));
  return result;
};
const list = async (who: Member) => {
  const result = await t.call('GET', `/api/workspaces/${owner.workspaceId}/extensions`, { key: who.key });
  responses.push(JSON.stringify(result.body));
  return result;
};

beforeAll(async () => {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  t = await createTestKernel({ extensions: [installed(digest), installed(plain)], logger });
  owner = await t.signup('Owner');
  member = await addMember(t, owner, 'member', 'Member');
  viewer = await addMember(t, owner, 'viewer', 'Viewer');
});
afterAll(() => t?.close());

describe('secret settings', () => {
  it('are set by an admin, shown only as set, and listed by key in the event', async () => {
    const before = await list(owner);
    expect(before.body.items.find((e: any) => e.id === 'digest').secrets).toEqual({
      webhook_url: { set: false },
      token: { set: false },
    });
    const set = await put(
      owner,
      { secrets: { webhook_url: plaintext, token }, settings: { hour: 9 } },
      { 'idempotency-key': 'set-digest-secret' },
    );
    expect(set.status).toBe(200);
    expect(set.body.secrets).toEqual({ webhook_url: { set: true }, token: { set: true } });
    expect(set.body.settings).toEqual({ hour: 9 });
    // No idempotency record (not even a hash of the secrets): a retry applies the PUT
    // again, which changes nothing it had not already changed.
    const retry = await put(
      owner,
      { secrets: { webhook_url: plaintext, token }, settings: { hour: 9 } },
      { 'idempotency-key': 'set-digest-secret' },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();

    const [event] = await t.kernel.services.database.query<{ data: any }>(
      "select data from events where workspace_id = $1 and type = 'extension.settings_updated' order by id desc limit 1",
      [owner.workspaceId],
    );
    expect(event!.data).toEqual({ settings: { hour: 9 }, secrets_changed: ['token', 'webhook_url'] });
  });

  it('are read decrypted by the extension only through secretSettingsRef', async () => {
    expect(await secretSettings.get(owner.workspaceId)).toEqual({ webhook_url: plaintext, token });
    const [row] = await t.kernel.services.database.query<{ ciphertext: string }>(
      "select ciphertext from extension_secrets where workspace_id = $1 and key = 'webhook_url'",
      [owner.workspaceId],
    );
    expect(row!.ciphertext).toMatch(/^v1\./);
  });

  it('are refused with a 400 naming the field when the schema rejects them, and nothing is stored', async () => {
    const bad = await put(owner, { secrets: { webhook_url: 'not a url', token: 'new-token-value' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'secrets.webhook_url', message: expect.any(String) }]);
    const unknown = await put(owner, { secrets: { password: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'secrets.password', message: 'not a secret of this extension' },
    ]);
    const none = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/plain`, {
      key: owner.key,
      body: { secrets: { anything: 'x' } },
    });
    expect(none.status).toBe(400);
    expect(await secretSettings.get(owner.workspaceId)).toEqual({ webhook_url: plaintext, token });
  });

  it('need admin to change and member to read; viewers read no settings', async () => {
    expect((await put(member, { secrets: { token: 'member-token' } })).status).toBe(403);
    expect((await list(member)).status).toBe(200);
    expect((await list(viewer)).status).toBe(403);
  });

  it('are cleared with null, leaving the others', async () => {
    const cleared = await put(owner, { secrets: { token: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.secrets).toEqual({ webhook_url: { set: true }, token: { set: false } });
    expect(await secretSettings.get(owner.workspaceId)).toEqual({ webhook_url: plaintext });
  });

  it('never appear in a response, event, idempotency record or log line', async () => {
    const database = t.kernel.services.database;
    const dump = async (table: string) => JSON.stringify(await database.query(`select * from ${table}`));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('extensions/digest'))).toBe(true);
    const idempotency = await dump('idempotency_keys');
    expect(idempotency).not.toContain('set-digest-secret');
    const stored = await dump('extension_secrets');
    for (const secret of [plaintext, token]) {
      expect(responses.join('\n')).not.toContain(secret);
      expect(await dump('events')).not.toContain(secret);
      expect(idempotency).not.toContain(secret);
      expect(stored).not.toContain(secret);
      expect(await dump('workspace_extensions')).not.toContain(secret);
      expect(logLines.join('\n')).not.toContain(secret);
    }
  });
});
