/** secretsRef: AES-256-GCM with a key derived from the installation key (auth/installation-key.ts). */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../auth/installation-key.ts';
import { type ExtensionSecrets, secretsRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { installationKeyRef } from './internal-refs.ts';

export function createSecrets(installationKey: Buffer): ExtensionSecrets {
  const key = deriveKey(installationKey, 'extension secrets');
  return {
    encrypt: (plaintext) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt: (ciphertext) => {
      if (!ciphertext.startsWith('v1.')) throw new Error('Unknown secret format');
      const raw = Buffer.from(ciphertext.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export const secretsFactory = createServiceFactory({
  service: secretsRef,
  scope: 'kernel',
  deps: { installationKey: installationKeyRef },
  factory: ({ installationKey }) => createSecrets(installationKey),
});
