/**
 * The end of a middleware that has no async frame on its common path: run the rest of
 * the chain, after `pending` when there is a step to wait for.
 *
 * An `async (c, next) => { ...; await next(); }` allocates its frame and a promise or
 * two on every request even when it has nothing to wait for; under load that garbage
 * is collected many times a second together with every request in flight (see
 * docs/performance.md, "GET by id next to its floor"). The result resolves to
 * undefined, never to what `next()` resolves to: Hono's compose resolves it to the
 * Context, which a middleware must not hand back as its response.
 */
import type { Next } from 'hono';

const nothing = (): undefined => undefined;

export function proceed(next: Next, pending?: Promise<unknown>): Promise<undefined> {
  return (pending ? pending.then(next) : next()).then(nothing);
}
