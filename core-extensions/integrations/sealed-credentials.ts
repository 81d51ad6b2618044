/**
 * Tokens at rest, bound to their row: the approach of claude-oauth's sealed-tokens.ts,
 * generalised to any set of named columns.
 *
 * secretsRef encrypts with the installation key but takes no associated data, so each
 * sealing draws a fresh 256-bit data key, encrypts every value with AES-256-GCM under
 * it with associated data `integrations/v1/<workspace id>/<row id>/<column>`, and
 * stores the data key wrapped by secretsRef. A ciphertext copied (with its wrapped
 * key) into another workspace's row, or from one column into another, fails
 * authentication instead of handing one workspace's access to another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ExtensionSecrets } from '@maskin/contract';

export interface RowBinding {
  workspaceId: string;
  rowId: string;
}

const associatedData = (binding: RowBinding, column: string) =>
  Buffer.from(`integrations/v1/${binding.workspaceId}/${binding.rowId}/${column}`, 'utf8');

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

/** Seals every defined value under one fresh data key; undefined values stay undefined. */
export function seal<C extends string>(
  secrets: ExtensionSecrets,
  binding: RowBinding,
  values: Record<C, string | undefined>,
): { wrappedKey: string; sealed: Record<C, string | undefined> } {
  const key = randomBytes(32);
  const sealed = {} as Record<C, string | undefined>;
  for (const column of Object.keys(values) as C[]) {
    const value = values[column];
    sealed[column] = value === undefined ? undefined : encrypt(key, value, associatedData(binding, column));
  }
  return { wrappedKey: secrets.encrypt(key.toString('base64')), sealed };
}

/** Throws when a ciphertext was not sealed for this row and column (or was altered). */
export function open<C extends string>(
  secrets: ExtensionSecrets,
  binding: RowBinding,
  wrappedKey: string,
  sealed: Record<C, string | null | undefined>,
): Record<C, string | undefined> {
  const key = Buffer.from(secrets.decrypt(wrappedKey), 'base64');
  if (key.length !== 32) throw new Error('wrapped key has the wrong length');
  const values = {} as Record<C, string | undefined>;
  for (const column of Object.keys(sealed) as C[]) {
    const value = sealed[column];
    values[column] = value ? decrypt(key, value, associatedData(binding, column)) : undefined;
  }
  return values;
}
