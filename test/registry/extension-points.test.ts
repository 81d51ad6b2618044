/**
 * Extension points on a booted kernel: every `register` runs before any `setup`, the
 * owner reads the registrations in its setup and later, a contributor that fails (its
 * own setup, its register phase, or a requirement) is discarded, and a contributor
 * that does not require the owner stops boot with a message naming both and the fix.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createExtensionPoint,
  createServiceRef,
  defineExtension,
  type ExtensionDefinition,
  loggerRef,
} from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';

interface Greeter {
  greet(name: string): string;
}
const greetersPoint = createExtensionPoint<Greeter>({ id: 'greeting-host.greeters', owner: 'greeting-host' });
const greetingRef = createServiceRef<{ greetAll(name: string): string[]; seenAtSetup: string[] }>({
  id: 'greeting-host.service',
  owner: 'greeting-host',
});

const calls: string[] = [];

const host = defineExtension({
  manifest: {
    id: 'greeting-host',
    version: '1.0.0',
    kernel: '^1.0.0',
    enablement: 'opt-in',
    description: 'owns the greeters extension point',
  },
  provides: greetingRef,
  extensionPoints: [greetersPoint],
  setup({ extensionPoints }) {
    calls.push('greeting-host:setup');
    const greeters = extensionPoints.registrations(greetersPoint);
    const seenAtSetup = greeters.entries().map((entry) => entry.extensionId);
    return {
      service: { seenAtSetup, greetAll: (name) => greeters.values().map((greeter) => greeter.greet(name)) },
    };
  },
});

function greeter(
  id: string,
  options: { requires?: string[]; failSetup?: boolean; failRegister?: boolean } = {},
): ExtensionDefinition {
  return defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      enablement: 'opt-in',
      description: `a greeter (${id})`,
      requires: options.requires ?? ['greeting-host'],
    },
    async register({ extensionPoints, kernelService }) {
      calls.push(`${id}:register`);
      const logger = await kernelService(loggerRef);
      extensionPoints.add(greetersPoint, {
        greet: (name) => {
          logger.debug({ name }, 'greeting');
          return `${id} greets ${name}`;
        },
      });
      if (options.failRegister) throw new Error('register failed after adding');
    },
    setup() {
      calls.push(`${id}:setup`);
      if (options.failSetup) throw new Error('setup failed after registering');
      return {};
    },
  });
}

const doomed = defineExtension({
  manifest: { id: 'doomed', version: '1.0.0', kernel: '^1.0.0', enablement: 'opt-in', description: 'fails' },
  setup() {
    throw new Error('doomed on purpose');
  },
});

describe('a kernel with extension points', async () => {
  const t = await createTestKernel({
    extensions: [
      installed(host),
      installed(greeter('greeter-kind')),
      installed(greeter('greeter-broken', { failSetup: true })),
      installed(greeter('greeter-half', { failRegister: true })),
      installed(doomed),
      installed(greeter('greeter-orphan', { requires: ['greeting-host', 'doomed'] })),
      installed(greeter('greeter-late')),
    ],
  });
  afterAll(() => t.close());

  it('runs every register before any setup', () => {
    const firstSetup = calls.findIndex((call) => call.endsWith(':setup'));
    const lastRegister =
      calls.length - 1 - [...calls].reverse().findIndex((call) => call.endsWith(':register'));
    expect(lastRegister).toBeLessThan(firstSetup);
    expect(calls.filter((call) => call.endsWith(':register')).sort()).toEqual([
      'greeter-broken:register',
      'greeter-half:register',
      'greeter-kind:register',
      'greeter-late:register',
      'greeter-orphan:register',
    ]);
  });

  it('shows the owner every registration in its setup, except one whose register failed', async () => {
    const service = await t.kernel.container.get(greetingRef);
    expect(service.seenAtSetup).toEqual(['greeter-broken', 'greeter-kind', 'greeter-late', 'greeter-orphan']);
  });

  it('discards the registrations of extensions that failed, whatever the reason', async () => {
    const service = await t.kernel.container.get(greetingRef);
    expect(service.greetAll('Ada')).toEqual(['greeter-kind greets Ada', 'greeter-late greets Ada']);
    const registry = t.kernel.services.registry!;
    expect(registry.get('greeter-broken')?.failure).toBe('setup failed after registering');
    expect(registry.get('greeter-half')?.failure).toBe(
      'its register phase failed: register failed after adding',
    );
    expect(registry.get('greeter-orphan')?.failure).toBe('it requires "doomed", which failed to start');
    expect(calls).not.toContain('greeter-half:setup');
  });
});

it('refuses to boot when a contributor does not require the owner, naming both and the fix', async () => {
  await expect(
    createTestKernel({
      extensions: [installed(host), installed(greeter('greeter-rogue', { requires: [] }))],
    }),
  ).rejects.toThrow(
    'Extension "greeter-rogue" registers on extension point greeting-host.greeters of "greeting-host" without requiring it: add "greeting-host" to its manifest\'s requires.',
  );
});
