import { getRequestListener } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { responseContentType, responseText } from './response-text.ts';

const { Request: RequestBefore, Response: ResponseBefore } = globalThis;
// What a listening server does first: the light Request and Response become the globals.
// (An earlier test file in the same worker may have done it already.)
getRequestListener(() => new Response(null));
// The light class is built on the web Response it replaced.
const WebResponse: typeof Response = Object.getPrototypeOf(globalThis.Response);
afterAll(() => {
  Object.defineProperty(globalThis, 'Request', { value: RequestBefore });
  Object.defineProperty(globalThis, 'Response', { value: ResponseBefore });
});

describe('responseText', () => {
  it("takes a light response's string without building the web Response", async () => {
    expect(Response).not.toBe(WebResponse);
    const response = new Response('{"id":"a"}', {
      status: 201,
      headers: { 'content-type': 'application/json' },
    });
    expect(await responseText(response)).toBe('{"id":"a"}');
    // Had text() run, the body would be used; the string was read where the response keeps it.
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe('{"id":"a"}');
  });

  it('reads any other body with text()', async () => {
    const stream = new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('streamed'));
          controller.close();
        },
      }),
    );
    expect(await responseText(stream)).toBe('streamed');
    expect(await responseText(new WebResponse('plain web'))).toBe('plain web');
    const empty = new Response(null, { status: 204 });
    expect(await responseText(empty)).toBe('');
  });
});

/** The headers a light response keeps as it was given them (the third of its cached tuple). */
function keptHeaders(response: Response): unknown {
  const key = Object.getOwnPropertySymbols(response).find((symbol) => symbol.description === 'cache')!;
  return (response as unknown as Record<symbol, unknown[]>)[key]![2];
}

describe('responseContentType', () => {
  it("reads a light response's header record without building Headers from it", () => {
    const response = new Response('{}', { headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
    expect(responseContentType(response)).toBe('application/json; charset=UTF-8');
    expect(keptHeaders(response)).not.toBeInstanceOf(Headers);
    expect(new Response('x', { headers: { etag: '"1"' } }).headers.get('content-type')).toBeNull();
    expect(responseContentType(new Response('x', { headers: { etag: '"1"' } }))).toBeNull();
  });

  it('answers as `headers` does for every other shape', () => {
    const shapes: Response[] = [
      new Response('x', { headers: new Headers({ 'content-type': 'text/csv' }) }),
      new Response('x', { headers: [['content-type', 'text/html']] }),
      new Response('x'),
      new Response(null, { status: 204 }),
      new Response('x', { headers: { 'content-type': 'a/b', 'Content-Type': 'c/d' } }),
      new WebResponse('x', { headers: { 'content-type': 'application/json' } }),
    ];
    for (const response of shapes) {
      expect(responseContentType(response)).toBe(response.headers.get('content-type'));
    }
  });
});
