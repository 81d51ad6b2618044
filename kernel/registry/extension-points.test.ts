import { describe, expect, it } from 'vitest';
import type { ExtensionManifest } from '../contract/extension.ts';
import { createExtensionPoint } from '../contract/extension-point.ts';
import { ExtensionPoints } from './extension-points.ts';
import { ExtensionBootError } from './resolve-extensions.ts';

const manifest = (id: string, requires: string[] = []): ExtensionManifest => ({
  id,
  version: '1.0.0',
  kernel: '^1.0.0',
  description: id,
  enablement: 'opt-in',
  requires,
});

const greetings = createExtensionPoint<{ greet(name: string): string }>({
  id: 'host.greetings',
  owner: 'host',
});
const host = manifest('host');

function points(running: Set<string>) {
  return new ExtensionPoints([{ manifest: host, extensionPoints: [greetings] }], (id) => running.has(id));
}

describe('ExtensionPoints', () => {
  it('gives the owner every registration in order, and drops a contributor once it is not running', () => {
    const running = new Set(['host', 'polite', 'brief']);
    const registry = points(running);
    registry.registrarFor(manifest('polite', ['host'])).add(greetings, { greet: (n) => `Good day, ${n}` });
    registry.registrarFor(manifest('brief', ['host'])).add(greetings, { greet: (n) => `Hi ${n}` });
    const view = registry.registrations(host, greetings);
    expect(view.values().map((value) => value.greet('Ada'))).toEqual(['Good day, Ada', 'Hi Ada']);
    running.delete('polite'); // its setup failed after registering
    expect(view.entries().map((entry) => entry.extensionId)).toEqual(['brief']);
    expect(registry.countOf('polite')).toBe(1);
  });

  it('refuses a contributor that does not require the owner, naming both and the fix', () => {
    const registry = points(new Set());
    const add = () => registry.registrarFor(manifest('rogue')).add(greetings, { greet: () => '' });
    expect(add).toThrow(ExtensionBootError);
    expect(add).toThrow(
      'Extension "rogue" registers on extension point host.greetings of "host" without requiring it: add "host" to its manifest\'s requires.',
    );
  });

  it('refuses a point whose owner is not installed or does not declare it', () => {
    const registry = points(new Set());
    const elsewhere = createExtensionPoint<string>({ id: 'absent.things', owner: 'absent' });
    expect(() => registry.registrarFor(manifest('c', ['absent'])).add(elsewhere, 'x')).toThrow(
      /of "absent", which is not installed. Install "absent" and add it to requires/,
    );
    const undeclared = createExtensionPoint<string>({ id: 'host.other', owner: 'host' });
    expect(() => registry.registrarFor(manifest('c', ['host'])).add(undeclared, 'x')).toThrow(
      /host.other, which "host" does not declare/,
    );
  });

  it('lets only the owner read its point, and refuses a point declared twice', () => {
    const registry = points(new Set());
    expect(() => registry.registrations(manifest('other'), greetings)).toThrow(/does not declare/);
    expect(
      () =>
        new ExtensionPoints(
          [
            { manifest: host, extensionPoints: [greetings] },
            { manifest: manifest('twin'), extensionPoints: [greetings] },
          ],
          () => true,
        ),
    ).toThrow(/declared by both "host" and "twin"/);
  });
});
