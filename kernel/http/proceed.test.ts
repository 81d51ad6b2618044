import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { proceed } from './proceed.ts';

describe('proceed', () => {
  it('resolves to undefined, whatever next() resolves to', async () => {
    const next = async () => ({ looksLike: 'a Context' }) as never;
    await expect(proceed(next)).resolves.toBeUndefined();
  });

  it('runs next after the pending step, and not at all when the step fails', async () => {
    const order: string[] = [];
    const next = async () => {
      order.push('next');
    };
    await proceed(
      next,
      Promise.resolve().then(() => order.push('step')),
    );
    expect(order).toEqual(['step', 'next']);
    await expect(proceed(next, Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(order).toEqual(['step', 'next']);
  });

  it("as Hono middleware: the handler answers, and a failed step is the error handler's answer", async () => {
    const app = new Hono();
    app.onError((error, c) => c.json({ error: error.message }, 403));
    app.use('/slow/*', (_c, next) => proceed(next, Promise.reject(new Error('no entry'))));
    app.use('*', (c, next) => {
      c.header('x-step', 'ran');
      return proceed(next);
    });
    app.get('/fast', (c) => c.text('answered'));
    app.get('/slow/x', (c) => c.text('never'));
    const fast = await app.request('/fast');
    expect(fast.status).toBe(200);
    expect(await fast.text()).toBe('answered');
    expect(fast.headers.get('x-step')).toBe('ran');
    const slow = await app.request('/slow/x');
    expect(slow.status).toBe(403);
    expect(await slow.json()).toEqual({ error: 'no entry' });
  });
});
