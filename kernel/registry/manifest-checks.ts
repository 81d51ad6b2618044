/**
 * Manifest rules checked at boot, before any extension code runs, that need more than
 * one manifest (or the tier) to decide; each failure names the parties and the fix.
 *
 * - Error codes: a declared code may not be one the kernel answers with (clients
 *   could no longer tell the two apart), and two extensions may declare the same code
 *   only with the same status, since the OpenAPI document and clients read a code as
 *   one meaning.
 * - Event types of third-party extensions start with the extension's namespace
 *   (`meeting_notes.created`, `daily_digest_run.finished`), so no installed extension
 *   can take a type another one, or a future core one, will need. Core types are free.
 */
import { KERNEL_ERROR_CODES } from '../contract/errors.ts';
import { isInNamespace, namespaceOf } from './namespace.ts';
import { ExtensionBootError, type InstalledExtension } from './resolve-extensions.ts';

const kernelCodes = new Set<string>(KERNEL_ERROR_CODES);

export function checkErrorCodes(installed: InstalledExtension[]): void {
  const owners = new Map<string, { id: string; status: number }>();
  for (const extension of installed) {
    const { id, errors = {} } = extension.definition.manifest;
    for (const [code, { status }] of Object.entries(errors)) {
      if (kernelCodes.has(code)) {
        throw new ExtensionBootError(
          `Extension "${id}" declares the error code "${code}", which the kernel already uses. Throw the kernel's own (e.g. validationError(), conflict()) or declare a code of your own such as "${namespaceOf(id).toUpperCase()}_${code}".`,
        );
      }
      const owner = owners.get(code);
      if (owner && owner.status !== status) {
        throw new ExtensionBootError(
          `Error code "${code}" is declared by extension "${owner.id}" with status ${owner.status} and by extension "${id}" with status ${status}. A code means one thing to clients: give them the same status or rename one (e.g. "${namespaceOf(id).toUpperCase()}_${code}").`,
        );
      }
      owners.set(code, owner ?? { id, status });
    }
  }
}

export function checkEventNamespaces(installed: InstalledExtension[]): void {
  for (const extension of installed) {
    if (extension.tier === 'core') continue;
    const { id, events = [] } = extension.definition.manifest;
    const namespace = namespaceOf(id);
    for (const type of events) {
      const entity = type.split('.')[0]!;
      if (!isInNamespace(entity, namespace)) {
        throw new ExtensionBootError(
          `Extension "${id}" declares the event type "${type}"; a third-party extension's event types start with its namespace "${namespace}" (e.g. "${namespace}.${type.split('.')[1]}" or "${namespace}_${entity}.${type.split('.')[1]}"). Rename it.`,
        );
      }
    }
  }
}
