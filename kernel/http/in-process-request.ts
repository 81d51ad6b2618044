/**
 * A Request for an in-process call of the API (`app.fetch`), built in full only when
 * something asks for more than its method, URL, headers and text body.
 *
 * Every MCP tool call runs its route in process. A web Request costs about 20 µs to
 * build (undici's Request, its Headers list and an AbortSignal; docs/performance.md,
 * MCP), yet the pipeline reads only the method, the URL, a few headers and, for a
 * write, the JSON body as text. So this object answers those itself and builds the
 * real Request, from the same method, URL, headers and body, the first time anything
 * else is asked of it (`signal`, `body`, `clone()`, `formData()`, ...): what a caller
 * can observe is the real Request's behaviour, only the cost moves. The same trick as
 * @hono/node-server's request for a socket, which is not exported.
 */

const FULL = Symbol('full');
const METHOD = Symbol('method');
const URL_KEY = Symbol('url');
const HEADERS = Symbol('headers');
const BODY = Symbol('body');
const USED = Symbol('used');

interface LightRequest {
  [METHOD]: string;
  [URL_KEY]: string;
  [HEADERS]: Headers;
  [BODY]: string | undefined;
  [USED]: boolean;
  [FULL]: Request | undefined;
}

/** The real Request, built once; a body already read through the light one is spent. */
function full(request: LightRequest): Request {
  if (request[FULL]) return request[FULL];
  const method = request[METHOD];
  const built = new Request(request[URL_KEY], {
    method,
    headers: request[HEADERS],
    body: method === 'GET' || method === 'HEAD' ? undefined : request[BODY],
  });
  if (request[USED] && built.body) void built.text();
  request[FULL] = built;
  return built;
}

/** Reads the body as text once, as a real Request allows; afterwards it is unusable. */
function takeText(request: LightRequest): Promise<string> {
  if (request[FULL]) return request[FULL].text();
  if (request[USED]) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
  request[USED] = true;
  return Promise.resolve(request[BODY] ?? '');
}

/**
 * `request` as a real web Request: undici's `new Request(input, init)` cannot copy a
 * light request (it reads undici's private state), so a step that derives a new
 * Request from the one it got passes it through here first.
 */
export function realRequest(request: Request): Request {
  return FULL in request ? full(request as unknown as LightRequest) : request;
}

let prototype: object | undefined;
let prototypeOf: typeof Request | undefined;

/**
 * The light request's prototype, for the Request class the process has now:
 * @hono/node-server replaces the global Request with a subclass when a server starts,
 * and a light request must be an instance of the Request the rest of the process sees.
 * The real Request's getters and methods are gathered up its whole prototype chain
 * (that subclass's own prototype holds only its constructor).
 */
function lightPrototype(): object {
  const RequestClass = globalThis.Request;
  if (prototype && prototypeOf === RequestClass) return prototype;
  const own: PropertyDescriptorMap = {
    method: {
      get(this: LightRequest) {
        return this[METHOD];
      },
    },
    url: {
      get(this: LightRequest) {
        return this[URL_KEY];
      },
    },
    headers: {
      get(this: LightRequest) {
        return this[HEADERS];
      },
    },
    bodyUsed: {
      get(this: LightRequest) {
        return this[FULL] ? this[FULL].bodyUsed : this[USED];
      },
    },
    text: {
      value(this: LightRequest) {
        return takeText(this);
      },
    },
    json: {
      value(this: LightRequest) {
        return takeText(this).then(JSON.parse);
      },
    },
  };
  // Everything else the real Request offers, answered by the real Request.
  for (
    let level: object | null = RequestClass.prototype;
    level && level !== Object.prototype;
    level = Object.getPrototypeOf(level)
  ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(level))) {
      if (name === 'constructor' || name in own) continue;
      if (descriptor.get) {
        own[name] = {
          get(this: LightRequest) {
            return (full(this) as unknown as Record<string, unknown>)[name];
          },
        };
      } else if (typeof descriptor.value === 'function') {
        own[name] = {
          value(this: LightRequest, ...args: unknown[]) {
            const request = full(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
            return request[name]!(...args);
          },
        };
      }
    }
  }
  prototype = Object.create(RequestClass.prototype, own) as object;
  prototypeOf = RequestClass;
  return prototype;
}

/**
 * A Request for `url` (absolute) with `method`, `headers` and, for a write, a text
 * body, declared with its Content-Length as an HTTP client would (the body limit then
 * judges it from the header, without counting a stream).
 */
export function inProcessRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Request {
  const request = Object.create(lightPrototype()) as LightRequest;
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-length', String(Buffer.byteLength(init.body)));
  request[METHOD] = init.method.toUpperCase();
  request[URL_KEY] = url;
  request[HEADERS] = headers;
  request[BODY] = init.body;
  request[USED] = false;
  request[FULL] = undefined;
  return request as unknown as Request;
}
