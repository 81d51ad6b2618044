/**
 * The operator's commands of `maskin` (keys, workspaces, agents, extensions,
 * migrate). They work on the configured database (DATABASE_URL or MASKIN_DATA_DIR,
 * the same variables as the server) with the server stopped or, on PostgreSQL,
 * running: each command boots the kernel in this process without listening, so
 * migrations, extension hooks and events are exactly the server's, then calls the
 * same services the routes call, in one transaction each. On the embedded database
 * the data folder is locked by a running server: stop it first.
 *
 * "The operator" is the actor the change is recorded for in the event log: --actor
 * (an id or an email), by default the oldest human account, which is the one the
 * first start created. On an empty database, `keys create` creates that account (and
 * its workspace) the way the first start does.
 */
import { asc, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { createApiKey, listApiKeys, revokeApiKey } from '../actors/api-keys.ts';
import { bootstrapIfEmpty } from '../bootstrap.ts';
import { loadConfig } from '../config.ts';
import type { Role } from '../contract/context.ts';
import type { Db } from '../db/database.ts';
import { actors, apiKeys } from '../db/schema.ts';
import { createKernel, type Kernel } from '../kernel.ts';

export class CommandError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Print = (line: string) => void;

/** Boots the kernel on the configured database (no listening, no background work), runs `fn`, closes it. */
export async function withKernel<T>(fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const kernel = await createKernel({ config, logger: pino({ level: 'silent' }) });
  try {
    return await fn(kernel);
  } finally {
    await kernel.close();
  }
}

async function resolveActor(db: Db, reference: string | undefined): Promise<{ id: string; name: string }> {
  if (reference) {
    const [row] = await db
      .select({ id: actors.id, name: actors.name })
      .from(actors)
      .where(
        UUID.test(reference) ? eq(actors.id, reference) : sql`lower(${actors.email}) = lower(${reference})`,
      );
    if (!row) throw new CommandError(`no account "${reference}" (pass an actor id or an email)`);
    return row;
  }
  const [oldest] = await db
    .select({ id: actors.id, name: actors.name })
    .from(actors)
    .where(eq(actors.type, 'human'))
    .orderBy(asc(actors.createdAt), asc(actors.id))
    .limit(1);
  if (!oldest)
    throw new CommandError('the database has no account yet: run `maskin keys create` to create one');
  return oldest;
}

async function requireWorkspace(db: Db, workspaceId: string | undefined): Promise<string> {
  if (!workspaceId) throw new CommandError('pass --workspace <id> (maskin workspaces list shows them)');
  if (!UUID.test(workspaceId)) throw new CommandError(`--workspace is not a workspace id: ${workspaceId}`);
  const rows = await db.execute(sql`select 1 from workspaces where id = ${workspaceId}`);
  const found = Array.isArray(rows) ? rows.length : (rows as { rows: unknown[] }).rows.length;
  if (!found) throw new CommandError(`no workspace ${workspaceId}`);
  return workspaceId.toLowerCase();
}

const exportLine = (key: string, workspaceId?: string) =>
  `export MASKIN_API_KEY=${key}${workspaceId ? ` MASKIN_WORKSPACE_ID=${workspaceId}` : ''}`;

export interface Options {
  actor?: string;
  name?: string;
  workspace?: string;
  role?: string;
}

export async function keysCreate(options: Options, print: Print) {
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const created = options.actor ? null : await bootstrapIfEmpty(kernel);
    if (created) {
      print(`Created the operator account ${created.actorId} and workspace ${created.workspaceId}.`);
      print(`API key (shown once): ${created.apiKey}`);
      print(exportLine(created.apiKey, created.workspaceId));
      return;
    }
    const actor = await resolveActor(db, options.actor);
    const key = await db.transaction((tx) =>
      createApiKey(tx, {
        actorId: actor.id,
        name: options.name ?? 'cli',
        createdBy: actor.id,
        workspaceId: null,
      }),
    );
    print(`API key ${key.id} for ${actor.name} (${actor.id}), shown once: ${key.key}`);
    print(exportLine(key.key));
  });
}

export async function keysList(options: Options, print: Print) {
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const actor = await resolveActor(db, options.actor);
    print(`Keys of ${actor.name} (${actor.id}):`);
    let cursor: string | undefined;
    do {
      const page = await listApiKeys(db, actor.id, 100, cursor);
      for (const key of page.items) {
        const state = key.revoked_at ? `revoked ${key.revoked_at}` : 'active';
        print(`  ${key.id}  ${key.prefix}…  ${key.name}  created ${key.created_at}  ${state}`);
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  });
}

export async function keysRevoke(keyId: string | undefined, options: Options, print: Print) {
  if (!keyId || !UUID.test(keyId))
    throw new CommandError('pass the id of the key to revoke (maskin keys list)');
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const [key] = await db.select({ actorId: apiKeys.actorId }).from(apiKeys).where(eq(apiKeys.id, keyId));
    if (!key) throw new CommandError(`no API key ${keyId}`);
    const operator = await resolveActor(db, options.actor);
    const revoked = await db.transaction((tx) =>
      revokeApiKey(tx, { actorId: key.actorId, keyId, revokedBy: operator.id, workspaceId: null }),
    );
    print(`Revoked API key ${revoked.id} (${revoked.name}) at ${revoked.revoked_at}.`);
  });
}

export async function workspacesCreate(options: Options, print: Print) {
  if (!options.name) throw new CommandError('pass --name <workspace name>');
  const name = options.name;
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const owner = await resolveActor(db, options.actor);
    const workspace = await db.transaction((tx) =>
      kernel.services.workspaces.create(tx, { name, ownerId: owner.id }),
    );
    print(`Created workspace ${workspace.id} "${workspace.name}", owned by ${owner.name} (${owner.id}).`);
    print(`export MASKIN_WORKSPACE_ID=${workspace.id}`);
  });
}

export async function workspacesList(options: Options, print: Print) {
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const actor = await resolveActor(db, options.actor);
    print(`Workspaces of ${actor.name} (${actor.id}):`);
    let cursor: string | undefined;
    do {
      const page = await kernel.services.workspaces.listForActor(db, actor.id, 100, cursor);
      for (const workspace of page.items) print(`  ${workspace.id}  ${workspace.role}  ${workspace.name}`);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  });
}

const ROLES = ['owner', 'admin', 'member', 'viewer'];

export async function agentsCreate(options: Options, print: Print) {
  if (!options.name) throw new CommandError('pass --name <agent name>');
  const role = (options.role ?? 'member') as Role;
  if (!ROLES.includes(role)) throw new CommandError(`--role must be one of ${ROLES.join(', ')}`);
  const name = options.name;
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const workspaceId = await requireWorkspace(db, options.workspace);
    const operator = await resolveActor(db, options.actor);
    const { agent, key } = await db.transaction(async (tx) => {
      const agent = await kernel.services.actors.createAgent(tx, {
        workspaceId,
        createdBy: operator.id,
        name,
        role,
      });
      const key = await createApiKey(tx, {
        actorId: agent.id,
        name: 'cli',
        createdBy: operator.id,
        workspaceId,
      });
      return { agent, key };
    });
    print(`Created agent ${agent.id} "${agent.name}" (${role} of workspace ${workspaceId}).`);
    print(`Its API key (shown once): ${key.key}`);
    print(exportLine(key.key, workspaceId));
  });
}

export async function extensionsList(options: Options, print: Print) {
  await withKernel(async (kernel) => {
    const registry = kernel.services.registry!;
    const workspaceId = options.workspace
      ? await requireWorkspace(kernel.services.database.db, options.workspace)
      : undefined;
    const enabled = workspaceId
      ? new Map((await kernel.services.workspaceExtensions!.list(workspaceId)).map((e) => [e.id, e.enabled]))
      : undefined;
    for (const extension of registry.extensions) {
      const state = enabled
        ? enabled.get(extension.id)
          ? 'enabled'
          : 'disabled'
        : extension.manifest.enablement;
      const failure = extension.status === 'failed' ? ` (failed: ${extension.failure})` : '';
      print(`  ${extension.id}  ${extension.manifest.version}  ${extension.status}${failure}  ${state}`);
    }
  });
}

export async function extensionsEnable(extensionId: string | undefined, options: Options, print: Print) {
  if (!extensionId) throw new CommandError('pass the id of the extension to enable (maskin extensions list)');
  await withKernel(async (kernel) => {
    const { db } = kernel.services.database;
    const workspaceId = await requireWorkspace(db, options.workspace);
    const operator = await resolveActor(db, options.actor);
    await db.transaction((tx) =>
      kernel.services.workspaceExtensions!.change(tx, {
        workspaceId,
        actorId: operator.id,
        extensionId,
        enabled: true,
        enableRequires: true,
      }),
    );
    print(`Enabled ${extensionId} in workspace ${workspaceId}.`);
  });
}
