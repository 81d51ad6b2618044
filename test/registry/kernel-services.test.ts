/**
 * The kernel services an extension receives through kernel refs are bound to it:
 * storage namespaced by extension and workspace and transactional, secrets that
 * round-trip and detect tampering with one key shared by every instance, an event
 * recorder that refuses undeclared types, and a config without credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelConfig } from '../../kernel/config.ts';
import {
  configRef,
  dbRef,
  defineExtension,
  type ExtensionDatabase,
  type ExtensionEvents,
  type ExtensionSecrets,
  type ExtensionStorage,
  eventsRef,
  secretsRef,
  storageRef,
} from '../../kernel/contract/index.ts';
import { createKernel, createLogger } from '../../kernel/kernel.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';

interface Captured {
  db: ExtensionDatabase;
  events: ExtensionEvents;
  storage: ExtensionStorage;
  secrets: ExtensionSecrets;
  config: Readonly<Omit<KernelConfig, 'databaseUrl' | 'secretKey' | 'blobs'>>;
}

/** An extension that only hands its kernel services to the test. */
function probe(id: string, into: Map<string, Captured>) {
  return defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      enablement: 'opt-in',
      description: 'Captures its kernel services',
      events: [`${id.replace(/-/g, '_')}.happened`],
    },
    deps: { db: dbRef, events: eventsRef, storage: storageRef, secrets: secretsRef, config: configRef },
    setup({ deps }) {
      into.set(id, deps);
      return {};
    },
  });
}

const services = new Map<string, Captured>();
let t: TestKernel;
let workspaceA: string;
let workspaceB: string;
let actorId: string;

beforeAll(async () => {
  t = await createTestKernel({
    env: { DATABASE_URL: 'postgres://user:hunter2@db.invalid/maskin' },
    extensions: [installed(probe('probe-one', services)), installed(probe('probe-two', services))],
  });
  const a = await t.signup('Ursula');
  const b = await t.signup('Viktor');
  workspaceA = a.workspaceId;
  workspaceB = b.workspaceId;
  actorId = a.actorId;
});
afterAll(() => t?.close());

const one = () => services.get('probe-one')!;
const two = () => services.get('probe-two')!;

describe('storage', () => {
  it('keeps values per extension and per workspace', async () => {
    await one().storage.set(undefined, workspaceA, 'cursor', { page: 3, at: 'x' });
    expect(await one().storage.get(workspaceA, 'cursor')).toEqual({ page: 3, at: 'x' });
    expect(await one().storage.get(workspaceB, 'cursor')).toBeUndefined();
    expect(await two().storage.get(workspaceA, 'cursor')).toBeUndefined();
    await one().storage.set(undefined, workspaceA, 'cursor', 'replaced');
    expect(await one().storage.get(workspaceA, 'cursor')).toBe('replaced');
    await one().storage.delete(undefined, workspaceA, 'cursor');
    expect(await one().storage.get(workspaceA, 'cursor')).toBeUndefined();
  });

  it('writes inside the caller’s transaction: a rollback leaves nothing', async () => {
    const rollback = new Error('rollback');
    await expect(
      one().db.db.transaction(async (tx) => {
        await one().storage.set(tx, workspaceA, 'token', 'secret-ish');
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await one().storage.get(workspaceA, 'token')).toBeUndefined();
  });
});

describe('secrets', () => {
  it('round-trips, with a fresh nonce each time', () => {
    const first = one().secrets.encrypt('xoxb-token');
    const second = one().secrets.encrypt('xoxb-token');
    expect(first).not.toBe(second);
    expect(first).not.toContain('xoxb');
    expect(one().secrets.decrypt(first)).toBe('xoxb-token');
    expect(two().secrets.decrypt(second)).toBe('xoxb-token');
  });

  it('refuses a tampered or foreign ciphertext', () => {
    const sealed = one().secrets.encrypt('payload');
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1)}`;
    expect(() => one().secrets.decrypt(flipped)).toThrow();
    expect(() => one().secrets.decrypt('plain text')).toThrow(/format/);
  });

  it('shares the generated development key with every instance on the database', async () => {
    const other = new Map<string, Captured>();
    const second = await createKernel({
      config: testConfig(),
      database: t.testDatabase.database,
      logger: createLogger('silent'),
      extensions: [installed(probe('probe-one', other))],
    });
    try {
      expect(other.get('probe-one')!.secrets.decrypt(one().secrets.encrypt('shared'))).toBe('shared');
    } finally {
      await second.close();
    }
  });

  it('uses MASKIN_SECRET_KEY when set: another key cannot read it', async () => {
    const keyed = new Map<string, Captured>();
    const key = Buffer.alloc(32, 7).toString('base64');
    const second = await createKernel({
      config: testConfig({ MASKIN_SECRET_KEY: key }),
      database: t.testDatabase.database,
      logger: createLogger('silent'),
      extensions: [installed(probe('probe-one', keyed))],
    });
    try {
      const sealed = keyed.get('probe-one')!.secrets.encrypt('configured');
      expect(keyed.get('probe-one')!.secrets.decrypt(sealed)).toBe('configured');
      expect(() => one().secrets.decrypt(sealed)).toThrow();
    } finally {
      await second.close();
    }
  });
});

describe('events', () => {
  it('records a declared type in the transaction and refuses an undeclared one', async () => {
    const recorded = await one().db.db.transaction((tx) =>
      one().events.record(tx, {
        workspaceId: workspaceA,
        actorId,
        type: 'probe_one.happened',
        entityType: 'probe',
        entityId: 'p-1',
        data: { ok: true },
      }),
    );
    const [row] = await t.testDatabase.database.query<{ type: string; entity_id: string }>(
      'select type, entity_id from events where workspace_id = $1 and id = $2',
      [workspaceA, recorded.id],
    );
    expect(row).toEqual({ type: 'probe_one.happened', entity_id: 'p-1' });
    await expect(
      one().db.db.transaction((tx) =>
        one().events.record(tx, {
          workspaceId: workspaceA,
          actorId,
          type: 'probe_two.happened',
          entityType: 'probe',
          entityId: 'p-2',
          data: {},
        }),
      ),
    ).rejects.toThrow(/does not declare/);
  });
});

describe('config', () => {
  it('is read-only and carries no credentials', () => {
    const config = one().config;
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.port).toBeTypeOf('number');
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect('secretKey' in config).toBe(false);
    expect('blobs' in config).toBe(false);
    expect('databaseUrl' in config).toBe(false);
  });
});
