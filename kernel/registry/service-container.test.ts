import { describe, expect, it } from 'vitest';
import type { ExtensionManifest } from '../contract/extension.ts';
import { createServiceRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { ServiceContainer } from './service-container.ts';

const manifest = (id: string) =>
  ({ id, version: '1.0.0', kernel: '^1.0.0', description: id, enablement: 'opt-in' }) as ExtensionManifest;

const counterRef = createServiceRef<{ n: number }>({ id: 'test.counter', owner: 'kernel' });
const namedRef = createServiceRef<{ name: string; counter: { n: number } }>({
  id: 'test.named',
  owner: 'kernel',
});

function factories() {
  let built = 0;
  const counter = createServiceFactory({
    service: counterRef,
    scope: 'kernel',
    factory: () => ({ n: ++built }),
  });
  const named = createServiceFactory({
    service: namedRef,
    scope: 'extension',
    deps: { counter: counterRef },
    factory: ({ counter }, { extension }) => ({ name: extension.id, counter }),
  });
  return [counter, named];
}

describe('ServiceContainer', () => {
  it('builds a kernel-scoped service once and an extension-scoped one per asking extension', async () => {
    const container = new ServiceContainer(factories());
    const a = await container.get(namedRef, manifest('a'));
    const again = await container.get(namedRef, manifest('a'));
    const b = await container.get(namedRef, manifest('b'));
    expect(a).toBe(again);
    expect(a.name).toBe('a');
    expect(b.name).toBe('b');
    expect(a.counter).toBe(b.counter);
    expect(a.counter.n).toBe(1);
  });

  it('lets a later factory replace an earlier one for the same ref (a fake in a test)', async () => {
    const fake = createServiceFactory({ service: counterRef, scope: 'kernel', factory: () => ({ n: 42 }) });
    const container = new ServiceContainer([...factories(), fake]);
    expect((await container.get(namedRef, manifest('a'))).counter.n).toBe(42);
  });

  it('refuses an extension-scoped service for the kernel, a cycle, a missing factory and internal refs', async () => {
    const container = new ServiceContainer(factories());
    await expect(container.get(namedRef)).rejects.toThrow(/built per extension/);
    const loopA = createServiceRef<unknown>({ id: 'test.loop-a', owner: 'kernel' });
    const loopB = createServiceRef<unknown>({ id: 'test.loop-b', owner: 'kernel' });
    container
      .register(
        createServiceFactory({ service: loopA, scope: 'kernel', deps: { b: loopB }, factory: () => 1 }),
      )
      .register(
        createServiceFactory({ service: loopB, scope: 'kernel', deps: { a: loopA }, factory: () => 2 }),
      );
    await expect(container.get(loopA)).rejects.toThrow('test.loop-a -> test.loop-b -> test.loop-a');
    const missing = createServiceRef<unknown>({ id: 'test.missing', owner: 'kernel' });
    await expect(container.get(missing)).rejects.toThrow(
      /No factory provides the kernel service test.missing/,
    );
    const foreign = createServiceRef<unknown>({ id: 'other.service', owner: 'other' });
    await expect(container.get(foreign)).rejects.toThrow(/extension "other", which has not started/);
    const secret = createServiceRef<string>({ id: 'test.internal', owner: 'kernel' });
    container.provide(secret, 'raw', { internal: true });
    expect(await container.get(secret)).toBe('raw');
    await expect(container.get(secret, manifest('a'))).rejects.toThrow(/internal to the kernel/);
  });

  it("refuses the kernel's internal refs to extensions, also those a kernel factory builds", async () => {
    const built = createServiceRef<{ part: string }>({ id: 'kernel.internal.test-part', owner: 'kernel' });
    const user = createServiceRef<{ uses: string }>({ id: 'test.user', owner: 'kernel' });
    const container = new ServiceContainer([
      createServiceFactory({ service: built, scope: 'kernel', factory: () => ({ part: 'engine' }) }),
      // A factory may depend on an internal ref; the extension gets only what it builds.
      createServiceFactory({
        service: user,
        scope: 'extension',
        deps: { part: built },
        factory: ({ part }, { extension }) => ({ uses: `${part.part} for ${extension.id}` }),
      }),
    ]);
    expect(await container.get(built)).toEqual({ part: 'engine' });
    await expect(container.get(built, manifest('a'))).rejects.toThrow(
      /kernel.internal.test-part is internal to the kernel/,
    );
    expect(await container.get(user, manifest('a'))).toEqual({ uses: 'engine for a' });
  });

  it('does not cache a failed build', async () => {
    let attempts = 0;
    const flaky = createServiceFactory({
      service: counterRef,
      scope: 'kernel',
      factory: () => {
        attempts++;
        if (attempts === 1) throw new Error('first build fails');
        return { n: attempts };
      },
    });
    const container = new ServiceContainer([flaky]);
    await expect(container.get(counterRef)).rejects.toThrow('first build fails');
    expect((await container.get(counterRef)).n).toBe(2);
  });
});
