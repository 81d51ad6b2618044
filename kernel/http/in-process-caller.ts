/**
 * The caller of a request that another request makes in process on its own behalf:
 * an MCP tool call runs its route as the very caller the `/mcp` request already
 * authenticated, microseconds earlier, with the same key.
 *
 * It travels like the act-as credential (act-as-credential.ts): in the Hono env of
 * `app.fetch(request, env)` under a symbol only this module holds, so nothing that
 * arrives over the network can produce it. The inner request still carries the
 * caller's Authorization header; what the env spares is the work already done for
 * the outer request: hashing and looking up the key (authenticate takes the auth
 * from here), a second request id and child logger (root-app.ts takes both), and a
 * second log line: the outer request's line lists the requests made for it
 * (`in_process_requests`), one line per request that came over the network.
 * Everything else runs as for HTTP: the key's rate limit (which counts the tool call,
 * as `/mcp` itself does not), membership, the enablement gate, role, validation,
 * idempotency, the handler.
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { AuthContext, KernelEnv } from '../contract/context.ts';

const CALLER = Symbol('maskin.in-process-caller');

export interface InProcessCaller {
  /** What authenticating the outer request's credentials produced. */
  auth: AuthContext;
  requestId: string;
  logger: Logger;
  /** Where the requests made on the outer one's behalf are listed (requestsMadeFor). */
  made: RequestsMade;
}

/** What the outer request's log line says of each request made in process for it. */
export interface InProcessRequestLog {
  method: string;
  path: string;
  status: number;
  duration_ms: number;
}

/** The requests made in process for one outer request, until its log line is written. */
export class RequestsMade {
  readonly entries: InProcessRequestLog[] = [];
  /** False once the outer line is written: a request made later logs a line of its own. */
  open = true;
}

/** Where the outer request's context keeps its list: a key only this module holds. */
const MADE = Symbol('maskin.requests-made');
const madeOf = (c: Context) => c.get(MADE as never) as RequestsMade | undefined;

/** The list for requests made in process on behalf of the request `c`. */
export function requestsMadeFor(c: Context): RequestsMade {
  let made = madeOf(c);
  if (!made) {
    made = new RequestsMade();
    c.set(MADE as never, made as never);
  }
  return made;
}

/** The requests made in process for `c` (none: undefined), closing its list for its log line. */
export function closeRequestsMadeFor(c: Context): InProcessRequestLog[] | undefined {
  const made = madeOf(c);
  if (!made) return undefined;
  made.open = false;
  return made.entries;
}

/** The env to pass to `app.fetch` for a request on behalf of `caller`. */
export function inProcessEnv(caller: InProcessCaller): object {
  return { [CALLER]: caller };
}

export function inProcessCallerOf(c: Context<KernelEnv>): InProcessCaller | undefined {
  const env = c.env as Record<symbol, unknown> | undefined;
  return typeof env === 'object' && env !== null ? (env[CALLER] as InProcessCaller | undefined) : undefined;
}
