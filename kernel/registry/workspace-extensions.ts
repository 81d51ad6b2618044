/**
 * Enabling, disabling and configuring extensions in a workspace. One rule set for
 * the API and for new workspaces: requirements must be enabled first (or in the
 * same call), an extension that an enabled one requires cannot be disabled, settings
 * are validated by the extension's own schema, and every change writes its event and
 * runs the extension's idempotent workspace hook in the same transaction.
 *
 * Secret settings (manifest `secrets`) are changed here too but never shown: a view
 * says which declared keys are set, and `extension.settings_updated` lists the keys
 * that changed (`secrets_changed`), never a value.
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError, conflict, notFound, validationError } from '../contract/errors.ts';
import type { Db } from '../db/database.ts';
import { recordEvent } from '../events/record-event.ts';
import { proceed } from '../http/proceed.ts';
import type { StoredEnablement } from './enablement-store.ts';
import type { ExtensionRegistry, ExtensionRuntime } from './registry.ts';
import { checkSecretChanges, declaredSecretKeys, type SecretSettingsStore } from './secret-settings-store.ts';

export interface EnablementChange {
  workspaceId: string;
  actorId: string | null;
  extensionId: string;
  enabled?: boolean;
  settings?: Record<string, unknown>;
  /** Secret settings to set (a value) or clear (null); validated by the manifest's `secrets`. */
  secrets?: Record<string, unknown>;
  /** Also enable the extension's missing requirements (in dependency order). */
  enableRequires?: boolean;
}

const quoted = (ids: string[]) => ids.map((id) => `"${id}"`).join(', ');

export class WorkspaceExtensions {
  constructor(
    private readonly registry: ExtensionRegistry,
    private readonly secrets: SecretSettingsStore,
  ) {}

  /** After a change committed: this process's next read of the workspace sees it. */
  forget(workspaceId: string): void {
    this.registry.enablement.forget(workspaceId);
  }

  private extension(id: string): ExtensionRuntime {
    const runtime = this.registry.get(id);
    if (!runtime)
      throw notFound(`Extension "${id}" is not installed; GET /api/extensions lists the installed ones`);
    return runtime;
  }

  view(runtime: ExtensionRuntime, rows: Map<string, StoredEnablement>, secretKeys: Map<string, Set<string>>) {
    const setKeys = secretKeys.get(runtime.id);
    return {
      id: runtime.id,
      enabled: this.registry.enablement.isEnabledIn(rows, runtime.id),
      enablement: runtime.manifest.enablement,
      status: runtime.status,
      mount_path: runtime.mountPath,
      requires: runtime.manifest.requires ?? [],
      settings: this.registry.effectiveSettings(runtime.id, rows.get(runtime.id)?.settings ?? {}) as Record<
        string,
        unknown
      >,
      secrets: Object.fromEntries(
        declaredSecretKeys(runtime.manifest.secrets).map((key) => [key, { set: setKeys?.has(key) ?? false }]),
      ),
    };
  }

  async list(workspaceId: string) {
    const rows = await this.registry.enablement.rowsOf(workspaceId);
    const secretKeys = await this.secrets.keysSet(workspaceId);
    return this.registry.extensions.map((runtime) => this.view(runtime, rows, secretKeys));
  }

  async change(tx: Db, change: EnablementChange) {
    const target = this.extension(change.extensionId);
    const store = this.registry.enablement;
    const rows = await store.rowsInTransaction(tx, change.workspaceId);
    const isOn = (id: string) => store.isEnabledIn(rows, id);
    const context = { tx, workspaceId: change.workspaceId, actorId: change.actorId };

    // Checked first: a refused secret leaves nothing written.
    const secretChanges =
      change.secrets === undefined
        ? undefined
        : checkSecretChanges(target.id, target.manifest.secrets, change.secrets);

    let settings = rows.get(target.id)?.settings ?? {};
    if (change.settings !== undefined) {
      // An extension without a settings schema has no settings: only {} is valid.
      const schema = target.manifest.settings ?? z.object({}).strict();
      const parsed = schema.safeParse(change.settings);
      if (!parsed.success) {
        throw validationError(
          `Invalid settings for extension "${target.id}"`,
          parsed.error.issues.map((issue) => ({
            path: ['settings', ...issue.path.map(String)].join('.'),
            message: issue.message,
          })),
        );
      }
      await target.contributions.onSettingsChange?.({
        ...context,
        settings: parsed.data,
        previous: this.registry.effectiveSettings(target.id, settings),
      });
      settings = change.settings;
    }

    if (change.enabled === true && !isOn(target.id)) {
      const missing = this.missingRequirements(target, isOn);
      if (missing.length > 0 && !change.enableRequires) {
        throw conflict(
          `Extension "${target.id}" requires ${quoted(missing)}, not enabled in this workspace. Enable ${missing.length > 1 ? 'them' : 'it'} first, or send "enable_requires": true to enable ${missing.length > 1 ? 'them' : 'it'} in the same call.`,
        );
      }
      for (const id of missing)
        await this.setEnabled(context, this.extension(id), true, rows.get(id)?.settings ?? {});
      await this.setEnabled(context, target, true, settings);
    } else if (change.enabled === false && isOn(target.id)) {
      if (target.manifest.enablement === 'always') {
        throw conflict(`Extension "${target.id}" is always enabled and cannot be disabled`);
      }
      const dependents = this.registry
        .dependentsOf(target.id)
        .filter((e) => isOn(e.id))
        .map((e) => e.id);
      if (dependents.length > 0) {
        throw conflict(
          `Extension "${target.id}" is required by ${quoted(dependents)}, enabled in this workspace. Disable ${dependents.length > 1 ? 'them' : 'it'} first.`,
        );
      }
      await this.setEnabled(context, target, false, settings);
    } else if (change.settings !== undefined) {
      await store.write(tx, { ...context, extensionId: target.id, enabled: isOn(target.id), settings });
    }

    const secretsChanged = secretChanges
      ? [...Object.keys(secretChanges.set), ...secretChanges.cleared].sort()
      : [];
    if (secretChanges && secretsChanged.length > 0) {
      await this.secrets.write(
        tx,
        { workspaceId: change.workspaceId, extensionId: target.id, actorId: change.actorId },
        secretChanges,
      );
    }

    if (change.settings !== undefined || secretsChanged.length > 0) {
      await recordEvent(tx, {
        workspaceId: change.workspaceId,
        actorId: change.actorId,
        type: 'extension.settings_updated',
        entityType: 'extension',
        entityId: target.id,
        data: {
          ...(change.settings !== undefined && {
            settings: this.registry.effectiveSettings(target.id, settings) as Record<string, unknown>,
          }),
          // Which secret keys were set or cleared; their values never enter the log.
          ...(secretsChanged.length > 0 && { secrets_changed: secretsChanged }),
        },
      });
    }
    const after = await store.rowsInTransaction(tx, change.workspaceId);
    return this.view(target, after, await this.secrets.keysSet(change.workspaceId, tx));
  }

  /** Enables the `default-on` (and `always`) extensions in a new workspace. */
  async enableDefaults(tx: Db, workspaceId: string, actorId: string) {
    for (const runtime of this.registry.extensions) {
      if (runtime.manifest.enablement === 'opt-in') continue;
      await this.setEnabled({ tx, workspaceId, actorId }, runtime, true, {});
    }
  }

  /** Transitive requirements that are off, in dependency order. */
  private missingRequirements(target: ExtensionRuntime, isOn: (id: string) => boolean): string[] {
    const missing: string[] = [];
    const visit = (runtime: ExtensionRuntime) => {
      for (const id of runtime.manifest.requires ?? []) {
        if (isOn(id) || missing.includes(id)) continue;
        visit(this.extension(id));
        missing.push(id);
      }
    };
    visit(target);
    return missing;
  }

  private async setEnabled(
    context: { tx: Db; workspaceId: string; actorId: string | null },
    runtime: ExtensionRuntime,
    enabled: boolean,
    settings: Record<string, unknown>,
  ) {
    const { tx, workspaceId, actorId } = context;
    await this.registry.enablement.write(tx, {
      workspaceId,
      actorId,
      extensionId: runtime.id,
      enabled,
      settings,
    });
    const hook = enabled ? runtime.contributions.onEnabled : runtime.contributions.onDisabled;
    await hook?.({
      tx,
      workspaceId,
      actorId,
      settings: this.registry.effectiveSettings(runtime.id, settings),
    });
    await recordEvent(tx, {
      workspaceId,
      actorId,
      type: enabled ? 'extension.enabled' : 'extension.disabled',
      entityType: 'extension',
      entityId: runtime.id,
      data: { version: runtime.manifest.version },
    });
  }
}

/** The per-request gate in front of an extension's routes. */
export function enablementGate(
  registry: ExtensionRegistry,
  extensionId: string,
): MiddlewareHandler<KernelEnv> {
  const admit = (workspaceId: string, enabled: boolean) => {
    if (!enabled) {
      throw new ApiError(
        404,
        'EXTENSION_NOT_ENABLED',
        `Extension "${extensionId}" is not enabled in this workspace; an admin can enable it with PUT /api/workspaces/${workspaceId}/extensions/${extensionId}`,
      );
    }
  };
  return (c, next) => {
    const { id } = c.get('workspace')!;
    const known = registry.enablement.isEnabledIfKnown(id, extensionId);
    if (known === undefined) {
      return proceed(
        next,
        registry.enablement.isEnabled(id, extensionId).then((enabled) => admit(id, enabled)),
      );
    }
    admit(id, known);
    return proceed(next);
  };
}
