/**
 * Installation config: read from MASKIN_EXT_<ID>_<FIELD> of the environment the kernel
 * is given, validated before setup. A missing or invalid variable fails the extension
 * with the variable named (and no value); for an `always` extension it stops boot.
 * The catalog lists variable names, never values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExtension, installationConfigRef, z } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

const received = new Map<string, unknown>();
const withConfig = (
  id: string,
  config: z.ZodType,
  options: { enablement?: 'always' | 'opt-in'; asks?: boolean } = {},
) =>
  defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      enablement: options.enablement ?? 'opt-in',
      description: 'Has installation config',
      config,
    },
    deps: options.asks === false ? {} : { config: installationConfigRef },
    setup({ deps }) {
      received.set(id, (deps as { config?: unknown }).config);
      return {};
    },
  });

const oauth = z.object({
  clientId: z.string().min(3),
  clientSecret: z.string().min(8),
  port: z.coerce.number().int().default(443),
});
const clientSecret = 'very-secret-client-value';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    env: {
      MASKIN_EXT_GIT_HUB_CLIENT_ID: 'abc123',
      MASKIN_EXT_GIT_HUB_CLIENT_SECRET: clientSecret,
      MASKIN_EXT_NEEDS_TOKEN_CLIENT_ID: 'xy',
      MASKIN_EXT_NEEDS_TOKEN_CLIENT_SECRET: clientSecret,
      MASKIN_EXT_NEEDS_TOKEN_PORT: '',
    },
    extensions: [
      installed(withConfig('git-hub', oauth)),
      // Does not ask for its config in deps: it is validated all the same.
      installed(withConfig('needs-token', oauth, { asks: false })),
    ],
  });
});
afterAll(() => t?.close());

describe('installation config', () => {
  it('is parsed from the named variables and given through installationConfigRef', () => {
    expect(received.get('git-hub')).toEqual({ clientId: 'abc123', clientSecret, port: 443 });
  });

  it('fails the extension with a message naming the variable, never its value', async () => {
    expect(received.has('needs-token')).toBe(false);
    const { body } = await t.call('GET', '/api/extensions', { key: (await t.signup()).key });
    const failed = body.items.find((e: any) => e.id === 'needs-token');
    expect(failed.status).toBe('failed');
    expect(failed.failure).toContain('MASKIN_EXT_NEEDS_TOKEN_CLIENT_ID: invalid');
    expect(failed.failure).not.toContain('CLIENT_SECRET');
    expect(JSON.stringify(body)).not.toContain(clientSecret);
    expect(JSON.stringify(body)).not.toContain('abc123');
  });

  it('lists the variable names in the catalog', async () => {
    const { body } = await t.call('GET', '/api/extensions', { key: (await t.signup()).key });
    expect(body.items.find((e: any) => e.id === 'git-hub').config_variables).toEqual([
      'MASKIN_EXT_GIT_HUB_CLIENT_ID',
      'MASKIN_EXT_GIT_HUB_CLIENT_SECRET',
      'MASKIN_EXT_GIT_HUB_PORT',
    ]);
  });

  it('stops boot when an always extension lacks a variable', async () => {
    await expect(
      createTestKernel({
        env: {},
        extensions: [installed(withConfig('vital', oauth, { enablement: 'always' }))],
      }),
    ).rejects.toThrow(/vital.*MASKIN_EXT_VITAL_CLIENT_ID: not set/s);
  });

  it('refuses a config that is not an object schema', async () => {
    await expect(
      createTestKernel({
        env: {},
        extensions: [installed(withConfig('odd', z.string(), { enablement: 'always' }))],
      }),
    ).rejects.toThrow(/config must be a z\.object/);
  });
});
