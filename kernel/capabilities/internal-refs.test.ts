/**
 * Every ref of the kernel's own parts is refused to extensions in the real kernel's
 * container, whether the kernel provided its value or a kernel factory builds it (the
 * subscription engine and the jobs poll are built by factories).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/helpers/test-kernel.ts';
import type { ExtensionManifest } from '../contract/extension.ts';
import type { ServiceRef } from '../contract/refs.ts';
import * as internalRefs from './internal-refs.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
});
afterAll(() => t?.close());

const refs = Object.entries(internalRefs) as [string, ServiceRef<unknown>][];
const extension = {
  id: 'curious',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'asks for kernel internals',
  enablement: 'opt-in',
} as ExtensionManifest;

describe("the kernel's internal refs", () => {
  it('are all named kernel.internal.*', () => {
    expect(refs.length).toBeGreaterThan(10);
    for (const [, ref] of refs) expect(ref.id).toMatch(/^kernel\.internal\./);
  });

  it.each(refs.map(([name, ref]) => [name, ref] as const))(
    '%s is refused to an extension',
    async (_, ref) => {
      await expect(t.kernel.container.get(ref, extension)).rejects.toThrow(/internal to the kernel/);
    },
  );

  it('are still built for the kernel itself', async () => {
    expect(await t.kernel.container.get(internalRefs.subscriptionEngineRef)).toBeDefined();
    expect(await t.kernel.container.get(internalRefs.dueQueuesPollRef)).toBeDefined();
  });
});
