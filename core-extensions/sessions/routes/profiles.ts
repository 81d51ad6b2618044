/** Agent runtime profiles over HTTP: admins write them, members read them (never secret values). */
import {
  authOf,
  createRoute,
  type Db,
  decodeCursor,
  defineRoute,
  type ExtensionEvents,
  type ExtensionMembers,
  type ExtensionSecrets,
  errorResponses,
  jsonBody,
  jsonResponse,
  notFound,
  orm,
  pageOf,
  pageQuery,
  toPage,
  workspaceOf,
} from '@maskin/contract';
import type { SessionEventType } from '../manifest.ts';
import { deleteProfile, profileJson, readProfile, upsertProfile } from '../profiles.ts';
import { profiles } from '../tables.ts';
import { actorIdParam, profileInputSchema, profileSchema } from './schemas.ts';

const { and, eq, gt } = orm;
const tags = ['Sessions'];

export function profileRoutes(deps: {
  db: Db;
  events: ExtensionEvents<SessionEventType>;
  secrets: ExtensionSecrets;
  members: ExtensionMembers;
}) {
  const { db } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/agents',
        tags,
        summary: 'List agent runtime profiles',
        description:
          'Lists the agents of this workspace with their runtime profiles (runtime, model, limits, and which secret environment keys are set, never their values), in keyset pages.',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(profileSchema), 'Profiles, by agent id'), ...errorResponses },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        const workspaceId = workspaceOf(c).id;
        const rows = await db
          .select()
          .from(profiles)
          .where(
            and(
              eq(profiles.workspaceId, workspaceId),
              cursor ? gt(profiles.actorId, String(decodeCursor(cursor, 1)[0])) : undefined,
            ),
          )
          .orderBy(profiles.actorId)
          .limit(limit + 1);
        return c.json(
          toPage(rows, limit, profileJson, (row) => [row.actorId]),
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/agents/{actor_id}/profile',
        tags,
        summary: "Get an agent's runtime profile (secret values are never returned)",
        description:
          "Reads an agent's runtime profile in this workspace: runtime, command, model, system prompt, MCP servers, secret environment key names (never values), concurrency limit and monthly budget.",
        request: { params: actorIdParam },
        responses: { 200: jsonResponse(profileSchema, 'The profile'), ...errorResponses },
      }),
      handler: async (c) => {
        const row = await readProfile(db, workspaceOf(c).id, c.req.valid('param').actor_id);
        if (!row) throw notFound('This agent has no runtime profile in this workspace');
        return c.json(profileJson(row), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'put',
        path: '/agents/{actor_id}/profile',
        tags,
        summary: "Create or replace an agent's runtime profile (admin); env values are merged, null removes",
        description:
          "Creates or replaces an agent's runtime profile (admin): runtime claude-code, codex or custom with an argv array (never a shell string), model, system prompt, extra MCP servers, secret environment (encrypted; null removes a key), concurrency limit and monthly budget.",
        request: { params: actorIdParam, body: jsonBody(profileInputSchema) },
        responses: { 200: jsonResponse(profileSchema, 'The profile'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const row = await db.transaction((tx) =>
          upsertProfile(deps, tx, {
            workspaceId,
            actorId: c.req.valid('param').actor_id,
            callerId: authOf(c).actor.id,
            profile: c.req.valid('json'),
          }),
        );
        return c.json(profileJson(row), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'delete',
        path: '/agents/{actor_id}/profile',
        tags,
        summary: "Delete an agent's runtime profile (admin)",
        description:
          "Deletes an agent's runtime profile (admin); the agent can no longer start sessions here until it has one again.",
        request: { params: actorIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        const deleted = await db.transaction((tx) =>
          deleteProfile(deps.events, tx, {
            workspaceId: workspaceOf(c).id,
            actorId: c.req.valid('param').actor_id,
            callerId: authOf(c).actor.id,
          }),
        );
        if (!deleted) throw notFound('This agent has no runtime profile in this workspace');
        return c.body(null, 204);
      },
    }),
  ];
}
