/** A test kernel with every discovered extension, sessions replaced by the stand-in. */
import { join } from 'node:path';
import { discoverExtensions } from '../../kernel/registry/load-extensions.ts';
import type { InstalledExtension } from '../../kernel/registry/resolve-extensions.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import fakeSessions from './fake-sessions/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export async function extensionsWithFakeSessions(): Promise<InstalledExtension[]> {
  const discovered = await discoverExtensions(ROOT, []);
  return [...discovered.filter((e) => e.definition.manifest.id !== 'sessions'), installed(fakeSessions)];
}

export async function kernelWithFakeSessions(options: { ready?: boolean } = {}): Promise<TestKernel> {
  return createTestKernel({ ...options, extensions: await extensionsWithFakeSessions() });
}
