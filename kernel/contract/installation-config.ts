/**
 * Installation config: per-installation values of an extension (an OAuth client id
 * and secret), declared by the manifest's `config` zod object and filled from the
 * server's environment at boot, one variable per field:
 *
 *   MASKIN_EXT_<EXTENSION_ID>_<FIELD>, both upper-snake-cased
 *   (extension `github`, field `clientId` -> MASKIN_EXT_GITHUB_CLIENT_ID)
 *
 * The values are validated before the extension's setup runs; an invalid or missing
 * one fails the extension to start with a message naming the variable (an `always`
 * extension stops boot). GET /api/extensions lists the variable names, never values.
 */
import { createServiceRef } from './refs.ts';

/** The environment variable that fills `field` of extension `extensionId`'s config. */
export function configVariableName(extensionId: string, field: string): string {
  const upperSnake = (name: string) =>
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase();
  return `MASKIN_EXT_${upperSnake(extensionId)}_${upperSnake(field)}`;
}

/** The asking extension's installation config, parsed by its manifest's `config` schema. */
export const installationConfigRef = createServiceRef<Readonly<Record<string, unknown>>>({
  id: 'kernel.installation-config',
  owner: 'kernel',
});
