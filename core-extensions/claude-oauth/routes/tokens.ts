/**
 * claude-oauth routes, under /api/claude-oauth: import (admin), status (viewer; a GET
 * that never writes and never shows a token), delete (admin). Only the status is an
 * MCP tool: tokens should not travel through an agent's transcript.
 */

import type { Db } from '@maskin/contract';
import {
  callerScope,
  createRoute,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  workspaceOf,
} from '@maskin/contract';
import type { ClaudeOAuthService } from '../service.ts';
import { importTokensSchema, tokenStatusSchema } from './schemas.ts';

const tags = ['Claude OAuth'];

export function tokenRoutes(db: Db, service: ClaudeOAuthService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_claude_subscription_status',
        description:
          'Whether the workspace has a Claude subscription connected for agent sessions, when its access token expires, and why the last refresh failed if it did. Never returns the tokens.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/token',
        tags,
        summary: 'Status of the Claude subscription tokens',
        responses: {
          200: jsonResponse(tokenStatusSchema, 'The status (no token values)'),
          ...errorResponses,
        },
      }),
      handler: async (c) => c.json(await service.status(db, workspaceOf(c).id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'put',
        path: '/token',
        tags,
        summary: 'Import Claude subscription tokens',
        description:
          "Stores the workspace's Claude subscription tokens (from `claude setup-token` or Claude Code's credentials), encrypted at rest, replacing any before. Sessions running Claude Code get a fresh access token, refreshed before expiry.",
        request: { body: jsonBody(importTokensSchema) },
        responses: {
          200: jsonResponse(tokenStatusSchema, 'The new status (no token values)'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const input = c.req.valid('json');
        const expiresAt = new Date(input.expires_at);
        const status = await db.transaction((tx) =>
          service.import(tx, callerScope(c), {
            accessToken: input.access_token,
            refreshToken: input.refresh_token,
            expiresAt,
          }),
        );
        return c.json(status, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'delete',
        path: '/token',
        tags,
        summary: 'Delete the Claude subscription tokens',
        description:
          "Deletes the workspace's Claude subscription tokens (admin); sessions fall back to the agent's own or the workspace's API keys.",
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        await db.transaction((tx) => service.delete(tx, callerScope(c)));
        return c.body(null, 204);
      },
    }),
  ];
}
