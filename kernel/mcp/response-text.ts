/**
 * The body of an in-process answer (`app.request`), as text, and its Content-Type.
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
 * to `text()` (and `headers`): only the saving depends on it, never the answer.
 */

let cacheKey: symbol | undefined;

/** [status, body, headers as given] of a light response, or undefined. */
function keptTuple(response: Response): unknown[] | undefined {
  cacheKey ??= Object.getOwnPropertySymbols(response).find((symbol) => symbol.description === 'cache');
  if (cacheKey === undefined) return undefined;
  const cached = (response as unknown as Record<symbol, unknown>)[cacheKey];
  return Array.isArray(cached) && cached[0] === response.status ? cached : undefined;
}

function keptString(response: Response): string | undefined {
  const body = keptTuple(response)?.[1];
  return typeof body === 'string' ? body : undefined;
}

/**
 * The response's Content-Type. A light response keeps the headers it was given; when
 * they are a plain record (what Hono's `c.json` passes), the type is looked up there:
 * asking `headers` would first build a Headers object from them, which costs more
 * than the answer. Anything else (a Headers object, pairs, no headers, a name given
 * twice in different case) asks `headers`, which answers the same.
 */
export function responseContentType(response: Response): string | null {
  const given = keptTuple(response)?.[2];
  if (typeof given !== 'object' || given === null || given instanceof Headers || Array.isArray(given)) {
    return response.headers.get('content-type');
  }
  let found: string | null = null;
  for (const [name, value] of Object.entries(given)) {
    if (name.toLowerCase() !== 'content-type') continue;
    if (found !== null) return response.headers.get('content-type');
    found = String(value);
  }
  return found;
}

export function responseText(response: Response): Promise<string> {
  const kept = keptString(response);
  return kept === undefined ? response.text() : Promise.resolve(kept);
}
