/**
 * Secret settings: per-workspace values an extension declares in its manifest's
 * `secrets` schema (API tokens, webhook URLs). An admin writes them through
 * PUT /api/workspaces/{id}/extensions/{extension_id} with `secrets: { key: value | null }`;
 * reads through the API only ever say which keys are set. The extension itself reads
 * the decrypted values here, never through the settings API.
 */
import { createServiceRef } from './refs.ts';

export interface ExtensionSecretSettings {
  /**
   * This extension's secrets in a workspace, decrypted and parsed by its `secrets`
   * schema; keys that are not set are absent. Do not log or return them.
   */
  get<T = Record<string, unknown>>(workspaceId: string): Promise<Partial<T>>;
}

export const secretSettingsRef = createServiceRef<ExtensionSecretSettings>({
  id: 'kernel.secret-settings',
  owner: 'kernel',
});
