/**
 * Invitation routes (see invitations.ts): admins invite, list and revoke under
 * /api/workspaces/{workspace_id}/invitations; the invitee lists, accepts and declines
 * under /api/actors/me/invitations.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { authOf, workspaceOf } from '../contract/context.ts';
import { defineRoute, errorResponses, jsonBody, jsonResponse, pageOf, pageQuery } from '../contract/route.ts';
import type { KernelServices } from '../services.ts';
import { DEFAULT_INVITATION_HOURS, InvitationService, MAX_INVITATION_HOURS } from './invitations.ts';
import { memberSchema, roleSchema, workspaceIdParam } from './schemas.ts';

const invitationSchema = z
  .object({
    id: z.string().uuid(),
    workspace_id: z.string().uuid(),
    workspace_name: z.string().optional().openapi({ description: 'In the invitee’s list only' }),
    email: z.string(),
    role: roleSchema,
    status: z.enum(['pending', 'accepted', 'declined', 'revoked', 'expired']),
    invited_by: z.string().uuid().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
    responded_at: z.string().nullable(),
  })
  .openapi('Invitation');

const invitationParams = workspaceIdParam.extend({ invitation_id: z.string().uuid() });
const myInvitationParam = z.object({ invitation_id: z.string().uuid() });
const answerSchema = z
  .object({ invitation: invitationSchema, member: memberSchema.nullable() })
  .openapi('InvitationAnswer');
const byWorkspace = 'workspace_id';

const service = new InvitationService();

/** Mounted at /api/workspaces. */
export function workspaceInvitationRoutes(k: KernelServices) {
  const { database } = k;
  const tags = ['Workspaces'];
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'invite_member',
        description:
          'Invites a person by email to the workspace with a role (admin; owner role needs an owner). They join only when they accept it (POST /api/actors/me/invitations/{id}/accept); inviting the same address again renews the open invitation. The answer is the same whether or not the address has an account. Agents are not invited: add_member adds an agent you manage.',
      },
      route: createRoute({
        method: 'post',
        path: '/{workspace_id}/invitations',
        tags,
        summary: 'Invite a person by email (admin)',
        request: {
          params: workspaceIdParam,
          body: jsonBody(
            z.object({
              email: z.string().trim().email().max(320),
              role: roleSchema,
              expires_in_hours: z
                .number()
                .int()
                .min(1)
                .max(MAX_INVITATION_HOURS)
                .default(DEFAULT_INVITATION_HOURS)
                .openapi({
                  description: `Hours until it expires (default ${DEFAULT_INVITATION_HOURS}, at most ${MAX_INVITATION_HOURS})`,
                }),
            }),
          ),
        },
        responses: { 201: jsonResponse(invitationSchema, 'The invitation'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const workspace = workspaceOf(c);
        const invitation = await database.db.transaction((tx) =>
          service.invite(tx, {
            workspaceId: workspace.id,
            by: { id: authOf(c).actor.id, role: workspace.role },
            email: body.email,
            role: body.role,
            hours: body.expires_in_hours,
          }),
        );
        return c.json(invitation, 201);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'list_invitations',
        description: "Lists the workspace's invitations, newest first, with their status (admin).",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}/invitations',
        tags,
        summary: "The workspace's invitations (admin)",
        request: { params: workspaceIdParam, query: pageQuery },
        responses: {
          200: jsonResponse(pageOf(invitationSchema), 'Invitations, newest first'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await service.listForWorkspace(database.db, workspaceOf(c).id, limit, cursor), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: 'revoke_invitation',
        description: 'Revokes an open invitation so it can no longer be accepted (admin).',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{workspace_id}/invitations/{invitation_id}',
        tags,
        summary: 'Revoke an invitation (admin)',
        request: { params: invitationParams },
        responses: { 200: jsonResponse(invitationSchema, 'The invitation'), ...errorResponses },
      }),
      handler: async (c) => {
        const { invitation_id } = c.req.valid('param');
        const invitation = await database.db.transaction((tx) =>
          service.revoke(tx, {
            workspaceId: workspaceOf(c).id,
            invitationId: invitation_id,
            by: authOf(c).actor.id,
          }),
        );
        return c.json(invitation, 200);
      },
    }),
  ];
}

/** Mounted at /api/actors. */
export function myInvitationRoutes(k: KernelServices) {
  const { database, memberships } = k;
  const tags = ['Actors'];
  const answer = (accept: boolean) =>
    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: accept ? 'accept_invitation' : 'decline_invitation',
        description: accept
          ? 'Accepts an invitation addressed to you (see list_my_invitations): you become a member of its workspace with its role.'
          : 'Declines an invitation addressed to you; it can no longer be accepted.',
      },
      route: createRoute({
        method: 'post',
        path: `/me/invitations/{invitation_id}/${accept ? 'accept' : 'decline'}`,
        tags,
        summary: accept ? 'Accept an invitation: join its workspace' : 'Decline an invitation',
        request: { params: myInvitationParam },
        responses: {
          200: jsonResponse(answerSchema, 'The invitation, and the membership if accepted'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const result = await database.db.transaction((tx) =>
          service.respond(tx, {
            actorId: authOf(c).actor.id,
            invitationId: c.req.valid('param').invitation_id,
            accept,
          }),
        );
        if (result.member) memberships.evictWorkspace(result.member.workspace_id);
        return c.json(result, 200);
      },
    });
  return [
    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'list_my_invitations',
        description:
          'Lists the open invitations addressed to your email: which workspace, which role, until when. Answer them with accept_invitation or decline_invitation.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/me/invitations',
        tags,
        summary: 'Open invitations addressed to the caller',
        request: { query: pageQuery },
        responses: {
          200: jsonResponse(pageOf(invitationSchema), 'Open invitations, newest first'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await service.listForInvitee(database.db, authOf(c).actor.id, limit, cursor), 200);
      },
    }),
    answer(true),
    answer(false),
  ];
}
