/**
 * Every way an installation can be wrong stops boot with a message naming both
 * parties and the fix. All cases boot the real kernel on one shared database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServiceRef,
  defineExtension,
  ExtensionDefinitionError,
  z,
} from '../../kernel/contract/index.ts';
import { createKernel, createLogger } from '../../kernel/kernel.ts';
import type { InstalledExtension } from '../../kernel/registry/resolve-extensions.ts';
import { KERNEL_VERSION } from '../../kernel/version.ts';
import { installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { testConfig } from '../helpers/test-kernel.ts';

let testDatabase: TestDatabase;
beforeAll(async () => {
  testDatabase = await createTestDatabase();
});
afterAll(() => testDatabase?.drop());

async function bootError(extensions: InstalledExtension[]): Promise<string> {
  let kernel: Awaited<ReturnType<typeof createKernel>> | undefined;
  try {
    kernel = await createKernel({
      config: testConfig(),
      database: testDatabase.database,
      logger: createLogger('silent'),
      extensions,
    });
  } catch (error) {
    return (error as Error).message;
  }
  await kernel.close();
  throw new Error('boot succeeded, but it should have failed');
}

const core = (options: Parameters<typeof tinyExtension>[0]) =>
  installed(tinyExtension(options), { tier: 'core' });
const thirdParty = (options: Parameters<typeof tinyExtension>[0]) => installed(tinyExtension(options));

describe('boot stops', () => {
  it('on a duplicate id, naming both sources', async () => {
    const message = await bootError([
      installed(tinyExtension({ id: 'dup' }), { source: 'extensions/dup' }),
      installed(tinyExtension({ id: 'dup' }), { source: 'npm:dup' }),
    ]);
    expect(message).toBe(
      'Two extensions have the id "dup": extensions/dup and npm:dup. Ids must be unique; remove one of them or rename it.',
    );
  });

  it('on a mount clash between two core extensions', async () => {
    const message = await bootError([
      core({ id: 'notes', mounts: ['notes'] }),
      core({ id: 'notebook', mounts: ['notes'] }),
    ]);
    expect(message).toMatch(
      /Extensions "(notes|notebook)" and "(notes|notebook)" both want the mount \/api\/notes/,
    );
    expect(message).toContain('Change the mount of one of them.');
  });

  it('on a mount that takes a reserved kernel segment, declared or implied by the id', async () => {
    expect(await bootError([core({ id: 'people', mounts: ['workspaces'] })])).toBe(
      'Extension "people" wants the mount /api/workspaces, which the kernel reserves. Choose another mount.',
    );
    expect(await bootError([core({ id: 'events' })])).toContain('/api/events, which the kernel reserves');
  });

  it('on a tool-name clash with the kernel or another extension', async () => {
    expect(await bootError([core({ id: 'catalog', tool: 'list_extensions' })])).toBe(
      'MCP tool "list_extensions" is defined by both the kernel and extension "catalog". Rename one of the tools.',
    );
    expect(await bootError([core({ id: 'one', tool: 'read' }), core({ id: 'two', tool: 'read' })])).toBe(
      'MCP tool "read" is defined by both extension "one" and extension "two". Rename one of the tools.',
    );
    // Third-party tools are prefixed with the id, which can still collide.
    expect(
      await bootError([thirdParty({ id: 'a-b', tool: 'c' }), thirdParty({ id: 'a', tool: 'b_c' })]),
    ).toContain('MCP tool "a_b_c" is defined by both extension "a" and extension "a-b"');
  });

  it('on an event type declared twice, or taken from the kernel', async () => {
    expect(await bootError([core({ id: 'mimic', events: ['member.removed'] })])).toBe(
      'Extension "mimic" declares the event type "member.removed", which the kernel already records. Event types name one producer in every workspace\'s log; rename it (e.g. after your own entity).',
    );
    expect(
      await bootError([
        core({ id: 'notes-a', events: ['note.created'] }),
        core({ id: 'notes-b', events: ['note.created'] }),
      ]),
    ).toContain(
      'Extension "notes-b" declares the event type "note.created", which extension "notes-a" already records.',
    );
  });

  it('on a missing dependency', async () => {
    expect(await bootError([thirdParty({ id: 'graph', requires: ['relationships'] })])).toBe(
      'Extension "graph" requires "relationships", which is not installed. Add "relationships" (core-extensions/, extensions/ or MASKIN_EXTENSIONS) or remove "graph".',
    );
  });

  it('on an unsupported kernel range', async () => {
    expect(await bootError([thirdParty({ id: 'future', kernel: '^99.0.0' })])).toBe(
      `Extension "future" (test:future) supports kernel ^99.0.0, but this kernel is ${KERNEL_VERSION}. Upgrade the extension or remove it.`,
    );
  });

  it('on a dependency cycle, with its path', async () => {
    const message = await bootError([
      thirdParty({ id: 'a', requires: ['b'] }),
      thirdParty({ id: 'b', requires: ['c'] }),
      thirdParty({ id: 'c', requires: ['a'] }),
    ]);
    expect(message).toBe(
      'Extension dependency cycle: a -> b -> c -> a. Remove one of these requires so the graph has no cycle.',
    );
  });

  it('on a service ref used without requiring its owner', async () => {
    const ref = createServiceRef<{ id: string }>({ id: 'provider.service', owner: 'provider' });
    const provider = thirdParty({ id: 'provider', provides: ref });
    expect(await bootError([provider, thirdParty({ id: 'consumer', deps: { provider: ref } })])).toBe(
      'Extension "consumer" uses provider.service (dependency "provider") from "provider" without requiring it: add "provider" to its manifest\'s requires.',
    );
    expect(await bootError([thirdParty({ id: 'consumer', deps: { provider: ref } })])).toContain(
      'install "provider" and add it to requires',
    );
  });

  it('on a third-party extension declaring mounts', async () => {
    expect(await bootError([thirdParty({ id: 'sneaky', mounts: ['objects'] })])).toBe(
      'Extension "sneaky" (test:sneaky) declares mounts, which only core extensions may do; third-party extensions are mounted at /api/m/sneaky. Remove "mounts".',
    );
  });

  it('on an OpenAPI component-name clash', async () => {
    const message = await bootError([
      thirdParty({ id: 'left', component: { name: 'Note', field: 'left' } }),
      thirdParty({ id: 'right', component: { name: 'Note', field: 'right' } }),
    ]);
    expect(message).toBe(
      'OpenAPI schema component "Note" is defined differently by left and right. Prefix component names with the extension id (e.g. "RightNote").',
    );
  });

  it('when an `always` extension fails to start', async () => {
    expect(await bootError([thirdParty({ id: 'vital', enablement: 'always', fail: 'no license' })])).toBe(
      'Extension "vital" is "always" enabled and failed to start: no license. Fix it or uninstall it; the server cannot run without it.',
    );
  });

  it('when a default-on extension requires an opt-in one', async () => {
    expect(
      await bootError([
        thirdParty({ id: 'base', enablement: 'opt-in' }),
        thirdParty({ id: 'eager', enablement: 'default-on', requires: ['base'] }),
      ]),
    ).toBe(
      'Extension "eager" is default-on but requires "base", which is opt-in: workspaces would get "eager" enabled without "base". Make "base" default-on or make "eager" opt-in.',
    );
  });
});

describe('defineExtension refuses at definition time', () => {
  it('a manifest that is not valid', () => {
    expect(() =>
      defineExtension({
        manifest: { id: 'Bad_Id', version: 'one', kernel: '^1.0.0', description: 'x', enablement: 'opt-in' },
        setup: () => ({}),
      }),
    ).toThrow(ExtensionDefinitionError);
  });

  it('settings without defaults', () => {
    expect(() => tinyExtension({ id: 'strict-settings', settings: z.object({ token: z.string() }) })).toThrow(
      'Extension strict-settings has settings that reject {}: give every settings field a default',
    );
  });
});
