/**
 * The body of an in-process answer (`app.request`), as text.
 *
 * Behind a listening server, @hono/node-server replaces the global Response with a
 * light one that keeps a string body as it is and writes it to the socket straight
 * away. Its `text()` first builds the full web Response and then streams the string
 * back out of it: under load that was about 35 µs of every MCP tool call (an A/B of
 * the same server; docs/performance.md, MCP), for a string already in memory. So the
 * string is taken from where the light response keeps it.
 *
 * That place is not public (a `Symbol('cache')` holding [status, body, headers], in
 * @hono/node-server 2.1.8, pinned). Anything else, or that layout changed, falls back
 * to `text()`: only the saving depends on it, never the answer.
 */

let cacheKey: symbol | undefined;

function keptString(response: Response): string | undefined {
  cacheKey ??= Object.getOwnPropertySymbols(response).find((symbol) => symbol.description === 'cache');
  if (cacheKey === undefined) return undefined;
  const cached = (response as unknown as Record<symbol, unknown>)[cacheKey];
  if (!Array.isArray(cached) || cached[0] !== response.status) return undefined;
  return typeof cached[1] === 'string' ? cached[1] : undefined;
}

export function responseText(response: Response): Promise<string> {
  const kept = keptString(response);
  return kept === undefined ? response.text() : Promise.resolve(kept);
}
