/**
 * Encryption of the tokens at rest, bound to their row.
 *
 * The contract's secrets service (secretsRef) does AES-256-GCM with the installation
 * key but takes no associated data, and the key itself is not exposed to extensions.
 * So we use envelope encryption: each sealing draws a fresh 256-bit data key, encrypts
 * each token with AES-256-GCM under it with associated data
 * `claude-oauth/v1/<workspace id>/<row id>/<column>`, and stores the data key wrapped
 * by secretsRef. Decrypting needs the installation key (to unwrap) and the exact
 * binding: a ciphertext copied, with its wrapped key, into another workspace's row,
 * or from the access column into the refresh column, fails authentication instead of
 * handing one workspace's subscription to another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ExtensionSecrets } from '@maskin/contract';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface RowBinding {
  workspaceId: string;
  rowId: string;
}

export interface SealedTokens {
  wrappedKey: string;
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string;
}

type Column = 'access_token' | 'refresh_token';

const associatedData = (binding: RowBinding, column: Column) =>
  Buffer.from(`claude-oauth/v1/${binding.workspaceId}/${binding.rowId}/${column}`, 'utf8');

function encrypt(key: Buffer, plaintext: string, aad: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

function decrypt(key: Buffer, sealed: string, aad: Buffer): string {
  if (!sealed.startsWith('v1.')) throw new Error('unknown ciphertext format');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

export function sealTokens(secrets: ExtensionSecrets, binding: RowBinding, tokens: TokenPair): SealedTokens {
  const key = randomBytes(32);
  return {
    wrappedKey: secrets.encrypt(key.toString('base64')),
    accessTokenCiphertext: encrypt(key, tokens.accessToken, associatedData(binding, 'access_token')),
    refreshTokenCiphertext: encrypt(key, tokens.refreshToken, associatedData(binding, 'refresh_token')),
  };
}

/** Throws when the ciphertext was not sealed for this binding (or was altered). */
export function openTokens(secrets: ExtensionSecrets, binding: RowBinding, sealed: SealedTokens): TokenPair {
  const key = Buffer.from(secrets.decrypt(sealed.wrappedKey), 'base64');
  if (key.length !== 32) throw new Error('wrapped key has the wrong length');
  return {
    accessToken: decrypt(key, sealed.accessTokenCiphertext, associatedData(binding, 'access_token')),
    refreshToken: decrypt(key, sealed.refreshTokenCiphertext, associatedData(binding, 'refresh_token')),
  };
}
