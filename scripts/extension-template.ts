/**
 * The files of a new extension, modelled on extensions/meeting-notes: one table in
 * its own migration, list and create routes, one event type, one MCP tool, settings
 * with defaults, and a test beside the code. Imports of the kernel contract and the
 * test helpers are relative to wherever the extension is written, so the same
 * template works in extensions/ and in a temporary folder (the scaffold's own test).
 */
import { relative } from 'node:path';
import { KERNEL_VERSION } from '../kernel/version.ts';

export interface TemplateNames {
  id: string;
  /** snake_case: table, migration and event prefix. */
  snake: string;
  /** PascalCase: classes and OpenAPI component names. */
  pascal: string;
  /** camelCase: the service ref. */
  camel: string;
  /** A sentence-case title for descriptions. */
  title: string;
}

export function namesOf(id: string): TemplateNames {
  const words = id.split('-');
  const capitalised = words.map((word) => word[0]!.toUpperCase() + word.slice(1));
  return {
    id,
    snake: words.join('_'),
    pascal: capitalised.join(''),
    camel: words[0] + capitalised.slice(1).join(''),
    title: capitalised[0] + (words.length > 1 ? ` ${words.slice(1).join(' ')}` : ''),
  };
}

/** `from` (a folder) to `to` (a file), as an import specifier. */
function importPath(from: string, to: string): string {
  const path = relative(from, to);
  return path.startsWith('.') ? path : `./${path}`;
}

export interface TemplatePaths {
  /** The new extension's folder. */
  dir: string;
  /** kernel/contract/index.ts */
  contract: string;
  /** test/helpers (folder) */
  testHelpers: string;
}

/** Relative file path -> content. */
export function extensionFiles(n: TemplateNames, paths: TemplatePaths): Record<string, string> {
  const contract = importPath(paths.dir, paths.contract);
  const contractFromRoutes = importPath(`${paths.dir}/routes`, paths.contract);
  const helpers = importPath(paths.dir, paths.testHelpers);
  const major = KERNEL_VERSION.split('.')[0];
  return {
    'index.ts': `/**
 * ${n.id}: a list of items per workspace. Scaffolded by \`npm run new-extension\`;
 * docs/extensions.md explains each part. Mounted by the kernel at /api/m/${n.id}.
 */
import { dbRef, defineExtension, eventsRef } from '${contract}';
import { ${n.camel}ServiceRef } from './api.ts';
import { itemRoutes } from './routes/items.ts';
import { ${n.pascal}Service } from './service.ts';
import { settingsSchema } from './settings.ts';

export default defineExtension({
  manifest: {
    id: '${n.id}',
    version: '0.1.0',
    kernel: '^${major}.0.0',
    description: '${n.title}: a list of items per workspace.',
    enablement: 'opt-in',
    settings: settingsSchema,
    events: ['${n.snake}_item.created'],
  },
  deps: { database: dbRef, events: eventsRef },
  provides: ${n.camel}ServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const service = new ${n.pascal}Service(deps.events);
    return {
      routes: itemRoutes({ db: deps.database.db, service, settings }),
      service,
    };
  },
});
`,
    'api.ts': `/** What other extensions may import from ${n.id}: its service ref and public types. */
import { createServiceRef } from '${contract}';
import type { ${n.pascal}Service } from './service.ts';

export type { ${n.pascal}Item } from './service.ts';
export const ${n.camel}ServiceRef = createServiceRef<${n.pascal}Service>({
  id: '${n.id}.service',
  owner: '${n.id}',
});
`,
    'settings.ts': `import { z } from '${contract}';

/** Per-workspace settings; every field has a default, so \`{}\` is valid. */
export const settingsSchema = z.object({
  max_title_length: z.number().int().min(1).max(1000).default(200),
});

export type ${n.pascal}Settings = z.output<typeof settingsSchema>;
`,
    'service.ts': `/**
 * ${n.title}, the domain logic: plain inputs and a transaction, no HTTP. Every query
 * is scoped by workspace id; every write records its event last, in the same transaction.
 */
import { type Db, decodeTimeIdCursor, type ExtensionEvents, orm, pg, toPage, validationError } from '${contract}';
import type { ${n.pascal}Settings } from './settings.ts';

const { and, desc, eq, lt, or } = orm;

export const items = pg.pgTable('${n.snake}_items', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  title: pg.text('title').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

type Row = typeof items.$inferSelect;

function toJson(row: Row) {
  return {
    id: row.id,
    title: row.title,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

export type ${n.pascal}Item = ReturnType<typeof toJson>;

export class ${n.pascal}Service {
  constructor(private readonly events: ExtensionEvents) {}

  async create(
    tx: Db,
    scope: { workspaceId: string; actorId: string; settings: ${n.pascal}Settings },
    input: { title: string },
  ) {
    if (input.title.length > scope.settings.max_title_length) {
      throw validationError(\`Titles are limited to \${scope.settings.max_title_length} characters here\`, [
        { path: 'title', message: 'longer than the max_title_length setting' },
      ]);
    }
    const [row] = await tx
      .insert(items)
      .values({ workspaceId: scope.workspaceId, title: input.title, createdBy: scope.actorId })
      .returning();
    await this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type: '${n.snake}_item.created',
      entityType: '${n.snake}_item',
      entityId: row!.id,
      data: { title: row!.title },
    });
    return toJson(row!);
  }

  async list(db: Db, workspaceId: string, page: { limit: number; cursor?: string }) {
    const conditions = [eq(items.workspaceId, workspaceId)];
    if (page.cursor) {
      const { at, id } = decodeTimeIdCursor(page.cursor);
      conditions.push(or(lt(items.createdAt, at), and(eq(items.createdAt, at), lt(items.id, id)))!);
    }
    const rows = await db
      .select()
      .from(items)
      .where(and(...conditions))
      .orderBy(desc(items.createdAt), desc(items.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, toJson, (row) => [row.createdAt.toISOString(), row.id]);
  }
}
`,
    'routes/schemas.ts': `import { z } from '${contractFromRoutes}';

// Component names carry the extension's name: they share one OpenAPI document.
export const itemSchema = z
  .object({
    id: z.string().uuid(),
    title: z.string(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('${n.pascal}Item');

export const createItemSchema = z
  .object({ title: z.string().trim().min(1).max(1000) })
  .openapi('${n.pascal}CreateInput');
`,
    'routes/items.ts': `/** Thin adapters from HTTP (and MCP, via \`tool\`) to the service. */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  pageQuery,
  workspaceOf,
} from '${contractFromRoutes}';
import type { ${n.pascal}Service } from '../service.ts';
import type { ${n.pascal}Settings } from '../settings.ts';
import { createItemSchema, itemSchema } from './schemas.ts';

const tags = ['${n.title}'];

export function itemRoutes(deps: {
  db: Db;
  service: ${n.pascal}Service;
  settings: (workspaceId: string) => Promise<${n.pascal}Settings>;
}) {
  const { db, service } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_item',
        description: 'Creates an item with a title in the current workspace. Returns the item with its id.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create an item',
        request: { body: jsonBody(createItemSchema) },
        responses: { 201: jsonResponse(itemSchema, 'The item'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const settings = await deps.settings(scope.workspaceId);
        const item = await db.transaction((tx) => service.create(tx, { ...scope, settings }, c.req.valid('json')));
        return c.json(item, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List items, newest first',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(itemSchema), 'Items'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
  ];
}
`,
    [`migrations/0001_${n.snake}.sql`]: `create table ${n.snake}_items (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  title text not null,
  created_by uuid,
  created_at timestamptz not null default now()
);
-- Every query is scoped by workspace; lists page by (created_at desc, id desc).
create index ${n.snake}_items_workspace_created on ${n.snake}_items (workspace_id, created_at desc, id desc);
`,
    [`${n.id}.test.ts`]: `import { afterAll, beforeAll, expect, it } from 'vitest';
import { installed } from '${helpers}/extensions.ts';
import { createTestKernel, type TestKernel } from '${helpers}/test-kernel.ts';
import extension from './index.ts';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(extension)] });
  user = await t.signup('Author');
});
afterAll(() => t?.close());

const enable = (settings: Record<string, unknown> = {}) =>
  t.call('PUT', \`/api/workspaces/\${user.workspaceId}/extensions/${n.id}\`, {
    key: user.key,
    body: { enabled: true, settings },
  });

it('is off until a workspace enables it', async () => {
  const response = await t.call('GET', '/api/m/${n.id}', { key: user.key, workspace: user.workspaceId });
  expect(response.status).toBe(404);
  expect(response.body.error.code).toBe('EXTENSION_NOT_ENABLED');
});

it('creates and lists items, recording an event', async () => {
  expect((await enable()).status).toBe(200);
  const opts = { key: user.key, workspace: user.workspaceId };
  const created = await t.call('POST', '/api/m/${n.id}', { ...opts, body: { title: 'First' } });
  expect(created.status).toBe(201);
  const list = await t.call('GET', '/api/m/${n.id}', opts);
  expect(list.body).toEqual({ items: [created.body], next_cursor: null });
  const events = await t.kernel.services.database.query<{ type: string }>(
    'select type from events where workspace_id = $1 and entity_id = $2',
    [user.workspaceId, created.body.id],
  );
  expect(events.map((event) => event.type)).toEqual(['${n.snake}_item.created']);
});

it('applies the workspace settings', async () => {
  expect((await enable({ max_title_length: 5 })).status).toBe(200);
  const opts = { key: user.key, workspace: user.workspaceId };
  const response = await t.call('POST', '/api/m/${n.id}', { ...opts, body: { title: 'Too long' } });
  expect(response.status).toBe(400);
  expect(response.body.error.details).toEqual([
    { path: 'title', message: 'longer than the max_title_length setting' },
  ]);
});
`,
  };
}
