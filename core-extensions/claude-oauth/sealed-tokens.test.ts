/** The row binding of sealed tokens, without a kernel: pure crypto over a fake secrets service. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ExtensionSecrets } from '@maskin/contract';
import { describe, expect, it } from 'vitest';
import { openTokens, sealTokens } from './sealed-tokens.ts';

// The same construction as the kernel's secrets service, with a test key.
const installationKey = randomBytes(32);
const secrets: ExtensionSecrets = {
  encrypt: (plaintext) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', installationKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  },
  decrypt: (sealed) => {
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', installationKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  },
};

const row = {
  workspaceId: '5f0f7a53-5e8c-4bd4-9e55-000000000001',
  rowId: '5f0f7a53-5e8c-4bd4-9e55-0000000000a1',
};
const tokens = { accessToken: 'sk-ant-oat01-access', refreshToken: 'sk-ant-ort01-refresh' };

describe('sealed tokens', () => {
  it('open what was sealed for the same row, and contain no plaintext', () => {
    const sealed = sealTokens(secrets, row, tokens);
    expect(openTokens(secrets, row, sealed)).toEqual(tokens);
    expect(JSON.stringify(sealed)).not.toContain('sk-ant');
  });

  it('refuse another row, another workspace, or swapped columns', () => {
    const sealed = sealTokens(secrets, row, tokens);
    expect(() =>
      openTokens(secrets, { ...row, rowId: '5f0f7a53-5e8c-4bd4-9e55-0000000000a2' }, sealed),
    ).toThrow();
    expect(() =>
      openTokens(secrets, { ...row, workspaceId: '5f0f7a53-5e8c-4bd4-9e55-000000000002' }, sealed),
    ).toThrow();
    const swapped = {
      ...sealed,
      accessTokenCiphertext: sealed.refreshTokenCiphertext,
      refreshTokenCiphertext: sealed.accessTokenCiphertext,
    };
    expect(() => openTokens(secrets, row, swapped)).toThrow();
  });

  it('refuse a ciphertext with one flipped bit', () => {
    const sealed = sealTokens(secrets, row, tokens);
    const raw = Buffer.from(sealed.accessTokenCiphertext.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() =>
      openTokens(secrets, row, { ...sealed, accessTokenCiphertext: `v1.${raw.toString('base64url')}` }),
    ).toThrow();
  });
});
