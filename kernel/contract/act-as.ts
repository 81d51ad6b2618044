/**
 * Act as an actor: run one operation of the composed API (any workspace-scoped route,
 * kernel or extension) as a given actor in a workspace, for work that no HTTP request
 * started (a trigger firing, an agent's scheduled job). The call goes through the same
 * pipeline as HTTP: the actor's membership (404 when it is not a member), the
 * enablement gate (EXTENSION_NOT_ENABLED), the route's role, validation, and the
 * handler, which records its events with the acted-as actor. Idempotency does not
 * apply (there is no client to retry).
 *
 * Who an extension may act as: any member of a workspace in which the calling
 * extension itself is enabled. Only installed extension code can hold this service,
 * and every call is logged with the calling extension's id, the actor, the workspace,
 * the method, the path and the status (never the body).
 */
import { createServiceRef } from './refs.ts';

export interface ActAsRequest {
  actorId: string;
  workspaceId: string;
  /** GET, POST, PUT, PATCH or DELETE. */
  method: string;
  /** The API path with its query string, e.g. `/api/objects?limit=5`. */
  path: string;
  /** A JSON body, sent with Content-Type: application/json. */
  body?: unknown;
}

export interface ActAsResult {
  status: number;
  /** The parsed JSON answer (the error envelope on failure), or the raw text. */
  body: unknown;
}

export interface ExtensionActAs {
  call(request: ActAsRequest): Promise<ActAsResult>;
}

export const actAsRef = createServiceRef<ExtensionActAs>({ id: 'kernel.act-as', owner: 'kernel' });
