/**
 * actAsRef: runs an operation of the composed API as an actor, in process, through
 * the same pipeline as HTTP (kernel/http/build-router.ts). The request carries no API
 * key: its credential rides in the Hono env under a private symbol
 * (kernel/http/act-as-credential.ts), which only workspace-scoped routes accept and
 * which binds the call to one workspace. Everything after authentication is the
 * ordinary pipeline, so membership, the enablement gate, roles, validation and the
 * events a handler records (with the acted-as actor) cannot differ from an HTTP call.
 *
 * Rule for who may be acted as: any member of a workspace in which the calling
 * extension is enabled (checked here; membership is checked by the pipeline). Each
 * call is logged with the calling extension's id; bodies are never logged.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { type ActAsResult, actAsRef } from '../contract/act-as.ts';
import { ApiError, notFound, validationError } from '../contract/errors.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { actors } from '../db/schema.ts';
import { actAsEnv } from '../http/act-as-credential.ts';
import { internalDatabaseRef, internalInProcessApiRef, internalLoggerRef } from './internal-refs.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The kernel app as act-as needs it; provided by kernel.ts once the app exists. */
export interface InProcessApi {
  request(path: string, init: RequestInit, env: object): Response | Promise<Response>;
  isEnabled(workspaceId: string, extensionId: string): Promise<boolean>;
}

const refused = (error: ApiError): ActAsResult => ({ status: error.status, body: error.toEnvelope() });

export const actAsFactory = createServiceFactory({
  service: actAsRef,
  scope: 'extension',
  deps: { api: internalInProcessApiRef, database: internalDatabaseRef, logger: internalLoggerRef },
  factory: ({ api, database, logger }, { extension }) => {
    const log = logger.child({ component: 'act-as', extension: extension.id });
    return {
      async call(request) {
        const method = request.method.toUpperCase();
        if (!METHODS.has(method) || !request.path.startsWith('/api/')) {
          throw new Error(
            `actAs.call from "${extension.id}": method must be one of ${[...METHODS].join(', ')} and path must start with /api/ (got ${request.method} ${request.path})`,
          );
        }
        const requestId = randomUUID();
        const result = await (async (): Promise<ActAsResult> => {
          const workspaceId = request.workspaceId.toLowerCase();
          if (!UUID.test(workspaceId) || !UUID.test(request.actorId)) {
            return refused(validationError('actorId and workspaceId must be UUIDs'));
          }
          if (!(await api.isEnabled(workspaceId, extension.id))) {
            return refused(
              new ApiError(
                404,
                'EXTENSION_NOT_ENABLED',
                `Extension "${extension.id}" is not enabled in this workspace, so it cannot act in it`,
              ),
            );
          }
          const [actor] = await database.db
            .select({ id: actors.id, type: actors.type, name: actors.name })
            .from(actors)
            .where(eq(actors.id, request.actorId));
          // An unknown actor is no member: the same answer the pipeline gives a non-member.
          if (!actor) return refused(notFound('Workspace not found'));
          const headers: Record<string, string> = {
            'x-workspace-id': workspaceId,
            'x-request-id': requestId,
          };
          if (request.body !== undefined) headers['content-type'] = 'application/json';
          const env = actAsEnv({
            auth: { actor, apiKeyId: `act-as:${extension.id}` },
            workspaceId,
            extensionId: extension.id,
          });
          const response = await api.request(
            request.path,
            { method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) },
            env,
          );
          const text = await response.text();
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          return { status: response.status, body };
        })();
        log.info(
          {
            request_id: requestId,
            actor_id: request.actorId,
            workspace_id: request.workspaceId,
            method,
            path: request.path,
            status: result.status,
          },
          'act as',
        );
        return result;
      },
    };
  },
});
