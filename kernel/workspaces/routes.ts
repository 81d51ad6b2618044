/** /api/workspaces: workspaces the caller belongs to, and their members. */
import { createRoute, z } from '@hono/zod-openapi';
import { authOf, workspaceOf } from '../contract/context.ts';
import { defineRoute, errorResponses, jsonBody, jsonResponse, pageOf, pageQuery } from '../contract/route.ts';
import type { KernelServices } from '../services.ts';
import { memberSchema, roleSchema, workspaceIdParam, workspaceSchema } from './schemas.ts';

const tags = ['Workspaces'];
const name = z.string().trim().min(1).max(200);
const settings = z.record(z.string(), z.unknown());
const memberParams = workspaceIdParam.extend({ actor_id: z.string().uuid() });
const byWorkspace = 'workspace_id';

export function workspaceRoutes(k: KernelServices) {
  const { database, memberships, workspaces } = k;
  const caller = (c: Parameters<typeof authOf>[0]) => {
    const workspace = workspaceOf(c);
    return { id: authOf(c).actor.id, role: workspace.role };
  };

  return [
    defineRoute({
      access: { auth: 'actor' },
      tool: { name: 'create_workspace', description: 'Creates a new workspace; you become its owner.' },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create a workspace (the caller becomes owner)',
        request: { body: jsonBody(z.object({ name, settings: settings.optional() })) },
        responses: { 201: jsonResponse(workspaceSchema, 'The workspace'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const created = await database.db.transaction((tx) =>
          workspaces.create(tx, { name: body.name, settings: body.settings, ownerId: authOf(c).actor.id }),
        );
        return c.json(created, 201);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'list_workspaces',
        description: 'Lists the workspaces you are a member of, with your role in each.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: "The caller's workspaces",
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(workspaceSchema), 'Workspaces'), ...errorResponses },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await workspaces.listForActor(database.db, authOf(c).actor.id, limit, cursor), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'viewer', workspaceParam: byWorkspace },
      tool: {
        name: 'get_workspace',
        description: 'Returns a workspace you belong to, with its settings and your role.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}',
        tags,
        summary: 'A workspace the caller belongs to',
        request: { params: workspaceIdParam },
        responses: { 200: jsonResponse(workspaceSchema, 'The workspace'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspace = workspaceOf(c);
        return c.json(await workspaces.get(database.db, workspace.id, workspace.role), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'update_workspace',
        description: 'Renames a workspace or replaces its settings (admin).',
      },
      route: createRoute({
        method: 'patch',
        path: '/{workspace_id}',
        tags,
        summary: 'Update name or settings (admin)',
        request: {
          params: workspaceIdParam,
          body: jsonBody(
            z
              .object({ name: name.optional(), settings: settings.optional() })
              .refine((b) => b.name !== undefined || b.settings !== undefined, 'Send name or settings'),
          ),
        },
        responses: { 200: jsonResponse(workspaceSchema, 'The workspace'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const { id, role } = workspaceOf(c);
        const updated = await database.db.transaction((tx) =>
          workspaces.update(tx, { workspaceId: id, actorId: authOf(c).actor.id, role, ...body }),
        );
        return c.json(updated, 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'owner', workspaceParam: byWorkspace },
      route: createRoute({
        method: 'delete',
        path: '/{workspace_id}',
        tags,
        summary: 'Delete the workspace and everything in it (owner)',
        description:
          "Owners only. Removes the workspace with its members, objects, extension data and event log; the workspace's log goes with it, so the deletion is recorded as `workspace.deleted` in your account events (GET /api/events/account). Cannot be undone.",
        request: { params: workspaceIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = workspaceOf(c);
        await database.db.transaction((tx) => workspaces.delete(tx, id, authOf(c).actor.id));
        memberships.evictWorkspace(id);
        return c.body(null, 204);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'viewer', workspaceParam: byWorkspace },
      tool: {
        name: 'list_members',
        description: 'Lists the members (humans and agents) of a workspace with their roles.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}/members',
        tags,
        summary: 'Members of the workspace',
        request: { params: workspaceIdParam, query: pageQuery },
        responses: { 200: jsonResponse(pageOf(memberSchema), 'Members'), ...errorResponses },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await workspaces.listMembers(database.db, workspaceOf(c).id, limit, cursor), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'add_member',
        description:
          'Adds an agent you manage (by actor_id) to the workspace with a role (admin): you manage it as an admin or owner of a workspace the agent is in, holding at least its role in each. People are not added: invite them with invite_member (POST /api/workspaces/{workspace_id}/invitations) and they join when they accept.',
      },
      route: createRoute({
        method: 'post',
        path: '/{workspace_id}/members',
        tags,
        summary: 'Add an agent you manage (admin); people join by invitation',
        request: {
          params: workspaceIdParam,
          body: jsonBody(z.object({ actor_id: z.string().uuid(), role: roleSchema })),
        },
        responses: { 201: jsonResponse(memberSchema, 'The membership'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const member = await database.db.transaction((tx) =>
          // Mapped field by field: spreading the snake_case body would pass `actor_id`
          // where the service reads `actorId` (and TypeScript allows the extra key).
          workspaces.addMember(tx, {
            workspaceId: workspaceOf(c).id,
            by: caller(c),
            actorId: body.actor_id,
            role: body.role,
          }),
        );
        return c.json(member, 201);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'change_member_role',
        description: "Changes a member's role (admin; owner role needs an owner).",
      },
      route: createRoute({
        method: 'patch',
        path: '/{workspace_id}/members/{actor_id}',
        tags,
        summary: "Change a member's role (admin)",
        request: { params: memberParams, body: jsonBody(z.object({ role: roleSchema })) },
        responses: { 200: jsonResponse(memberSchema, 'The membership'), ...errorResponses },
      }),
      handler: async (c) => {
        const { actor_id } = c.req.valid('param');
        const { role } = c.req.valid('json');
        const member = await database.db.transaction((tx) =>
          workspaces.changeRole(tx, {
            workspaceId: workspaceOf(c).id,
            by: caller(c),
            actorId: actor_id,
            role,
          }),
        );
        memberships.evictWorkspace(workspaceOf(c).id);
        return c.json(member, 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'remove_member',
        description: 'Removes a member from the workspace (admin). The last owner cannot be removed.',
        annotations: { destructiveHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{workspace_id}/members/{actor_id}',
        tags,
        summary: 'Remove a member (admin)',
        request: { params: memberParams },
        responses: { 204: { description: 'Removed' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { actor_id } = c.req.valid('param');
        await database.db.transaction((tx) =>
          workspaces.removeMember(tx, { workspaceId: workspaceOf(c).id, by: caller(c), actorId: actor_id }),
        );
        // This process's next request must see it now, not when the NOTIFY arrives.
        memberships.evictWorkspace(workspaceOf(c).id);
        return c.body(null, 204);
      },
    }),
  ];
}
