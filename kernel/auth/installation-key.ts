/**
 * The installation key: 32 bytes every instance shares, from which the kernel derives
 * the key that encrypts extension secrets and the key that signs stream tickets.
 * MASKIN_SECRET_KEY in production; without it (development only) a key generated
 * once and kept in the database, so that every instance on it agrees.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { KernelConfig } from '../config.ts';
import type { Database } from '../db/database.ts';

export async function loadInstallationKey(database: Database, config: KernelConfig): Promise<Buffer> {
  if (config.secretKey) return Buffer.from(config.secretKey, 'base64');
  await database.query(
    `insert into installation_keys (name, value) values ('secrets', $1) on conflict (name) do nothing`,
    [randomBytes(32).toString('base64')],
  );
  const [row] = await database.query<{ value: string }>(
    `select value from installation_keys where name = 'secrets'`,
  );
  return Buffer.from(row!.value, 'base64');
}

/** A key for one purpose, so that no two uses ever share key material. */
export function deriveKey(installationKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', installationKey, Buffer.alloc(0), `maskin ${purpose}`, 32));
}
