/**
 * The light in-process Request answers as a real one would: what it answers itself
 * (method, URL, headers, the body once) and what it hands to the real Request it
 * builds on demand (signal, clone, streams), next to a real Request built from the
 * same parts.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { inProcessRequest, realRequest } from './in-process-request.ts';

const URL = 'http://localhost/api/things?limit=5';
const body = JSON.stringify({ title: 'Grüße' });
const post = () =>
  inProcessRequest(URL, { method: 'post', headers: { 'content-type': 'application/json' }, body });

describe('inProcessRequest', () => {
  it('is a Request with the method, URL and headers it was given, and the body length declared', () => {
    const request = post();
    expect(request).toBeInstanceOf(Request);
    expect(request.method).toBe('POST');
    expect(request.url).toBe(URL);
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(request.bodyUsed).toBe(false);
  });

  it('gives its body once, as text or JSON, and is then used up like a real Request', async () => {
    const light = post();
    const real = new Request(URL, { method: 'POST', body });
    expect(await light.json()).toEqual(await real.json());
    expect(light.bodyUsed).toBe(real.bodyUsed);
    await expect(light.text()).rejects.toThrow(TypeError);
    await expect(real.text()).rejects.toThrow(TypeError);
    // Asked for more afterwards, the real Request behind it is used up too.
    await expect(light.arrayBuffer()).rejects.toThrow(TypeError);
  });

  it('hands everything else to a real Request built from the same parts', async () => {
    const request = post();
    expect(request.signal).toBeInstanceOf(AbortSignal);
    expect(request.signal.aborted).toBe(false);
    const copy = request.clone();
    expect(await copy.text()).toBe(body);
    expect(new TextDecoder().decode(await request.arrayBuffer())).toBe(body);
    expect(request.bodyUsed).toBe(true);
  });

  it('has no body for a GET', async () => {
    const request = inProcessRequest(URL, { method: 'GET', headers: {} });
    expect(request.headers.has('content-length')).toBe(false);
    expect(request.body).toBeNull();
    expect(await request.text()).toBe('');
  });

  it('can be the source of a new Request through realRequest, where undici cannot copy it', async () => {
    expect(() => new Request(post(), { method: 'POST', body: 'x' })).toThrow();
    const derived = new Request(realRequest(post()), { body: 'replaced' });
    expect(derived.method).toBe('POST');
    expect(derived.headers.get('content-type')).toBe('application/json');
    expect(await derived.text()).toBe('replaced');
    const plain = new Request(URL);
    expect(realRequest(plain)).toBe(plain);
  });

  it('follows the global Request when a server replaces it with a subclass', async () => {
    // @hono/node-server does this when a server starts; in a shared test worker it can
    // happen after light requests were made, or before the first one.
    const original = globalThis.Request;
    class Replaced extends original {}
    globalThis.Request = Replaced;
    try {
      const request = inProcessRequest(URL, { method: 'DELETE', headers: {} });
      expect(request).toBeInstanceOf(Replaced);
      // Answered by the real Request behind it, not by the subclass's inherited getters.
      expect(request.body).toBeNull();
      expect(request.signal.aborted).toBe(false);
      expect(await request.arrayBuffer()).toEqual(new ArrayBuffer(0));
    } finally {
      globalThis.Request = original;
    }
    expect(post()).toBeInstanceOf(original);
  });

  it('runs through a Hono app as the real Request does', async () => {
    const app = new Hono();
    app.post('/api/things', async (c) =>
      c.json({ limit: c.req.query('limit'), type: c.req.header('content-type'), body: await c.req.json() }),
    );
    const light = await app.fetch(post());
    const real = await app.fetch(
      new Request(URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(light.status).toBe(200);
    expect(await light.json()).toEqual(await real.json());
  });
});
