/**
 * Lifecycle hooks run after setup, in dependency order on the way up and in reverse
 * on the way down; a failed extension's hooks are discarded; each phase runs once.
 */
import { afterAll, expect, it } from 'vitest';
import { defineExtension, lifecycleRef } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';

const calls: string[] = [];

function recorder(id: string, options: { requires?: string[]; fail?: boolean } = {}) {
  return defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      enablement: 'opt-in',
      description: `records its lifecycle (${id})`,
      requires: options.requires ?? [],
    },
    deps: { lifecycle: lifecycleRef },
    setup({ deps }) {
      calls.push(`${id}:setup`);
      deps.lifecycle.onReady(() => void calls.push(`${id}:ready`));
      deps.lifecycle.beforeDrain(() => void calls.push(`${id}:drain`));
      deps.lifecycle.onShutdown(() => void calls.push(`${id}:shutdown`));
      if (options.fail) throw new Error('setup failed after registering hooks');
      return { dispose: async () => void calls.push(`${id}:dispose`) };
    },
  });
}

const t = await createTestKernel({
  ready: false,
  extensions: [
    installed(recorder('life-base')),
    installed(recorder('life-top', { requires: ['life-base'] })),
    installed(recorder('life-broken', { fail: true })),
  ],
});
afterAll(() => t.close());

it('runs onReady only when the kernel is ready, forwards, and skips a failed extension', async () => {
  expect(calls.filter((c) => c.endsWith(':ready'))).toEqual([]);
  await t.kernel.ready();
  await t.kernel.ready();
  expect(calls.filter((c) => c.endsWith(':ready'))).toEqual(['life-base:ready', 'life-top:ready']);
});

it('drains and shuts down in reverse dependency order, hooks before dispose', async () => {
  await t.kernel.beforeShutdown();
  await t.kernel.close();
  const down = calls.filter((c) => /:(drain|shutdown|dispose)$/.test(c));
  expect(down).toEqual([
    'life-top:drain',
    'life-base:drain',
    'life-top:shutdown',
    'life-base:shutdown',
    'life-top:dispose',
    'life-base:dispose',
  ]);
  t.close = async () => t.testDatabase.drop();
});
