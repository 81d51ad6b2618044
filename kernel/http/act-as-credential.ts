/**
 * The credential of an act-as call (kernel/capabilities/act-as.ts). It is not a token:
 * it travels in the Hono env of an in-process `app.request(url, init, env)` under a
 * symbol that only this module holds. A request from the network gets the Node
 * server's env (`{ incoming, outgoing }`), which cannot carry this symbol, so no header,
 * cookie or body can ever produce it. The credential is bound to one workspace: the
 * pipeline resolves the workspace as usual (membership of the acted-as actor) and
 * refuses, with the non-member 404, any other workspace the path might name.
 */
import type { Context } from 'hono';
import type { AuthContext, KernelEnv } from '../contract/context.ts';

const ACT_AS = Symbol('maskin.act-as');

export interface ActAsCredential {
  auth: AuthContext;
  workspaceId: string;
  /** The extension that acts (for logs). */
  extensionId: string;
}

/** The env to pass to `app.request` for a call as `credential`. */
export function actAsEnv(credential: ActAsCredential): object {
  return { [ACT_AS]: credential };
}

export function actAsCredentialOf(c: Context<KernelEnv>): ActAsCredential | undefined {
  const env = c.env as Record<symbol, unknown> | undefined;
  return typeof env === 'object' && env !== null ? (env[ACT_AS] as ActAsCredential | undefined) : undefined;
}
