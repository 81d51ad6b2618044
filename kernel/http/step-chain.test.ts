import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { proceed } from './proceed.ts';
import { chainSteps } from './step-chain.ts';

/** The same steps mounted as separate handlers and as one chain answer alike. */
function apps(steps: MiddlewareHandler[]) {
  const onError = (error: Error, c: any) => c.json({ error: error.message }, 418);
  const separate = new Hono();
  separate.onError(onError);
  separate.use('/x', ...steps);
  separate.get('/x', (c) => c.text('handler'));
  const chained = new Hono();
  chained.onError(onError);
  chained.use('/x', ...chainSteps(steps, onError));
  chained.get('/x', (c) => c.text('handler'));
  return { separate, chained };
}

async function answers(steps: MiddlewareHandler[]) {
  const { separate, chained } = apps(steps);
  const read = async (app: Hono) => {
    const response = await app.request('/x');
    return { status: response.status, body: await response.text(), seen: response.headers.get('x-seen') };
  };
  return { separate: await read(separate), chained: await read(chained) };
}

/** A step that records, after the rest ran, the status it saw. */
const observer: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('x-seen', String(c.res.status));
};

describe('chainSteps', () => {
  it('runs the steps in order, then the handler', async () => {
    const order: string[] = [];
    const step =
      (name: string): MiddlewareHandler =>
      (_c, next) => {
        order.push(name);
        return proceed(next);
      };
    const { chained, separate } = await answers([observer, step('a'), step('b')]);
    expect(chained).toEqual({ status: 200, body: 'handler', seen: '200' });
    expect(chained).toEqual(separate);
    expect(order).toEqual(['a', 'b', 'a', 'b']);
  });

  it("turns an error into the error handler's answer at its step, which the steps before it see", async () => {
    const thrower: MiddlewareHandler = () => {
      throw new Error('refused');
    };
    const rejecter: MiddlewareHandler = (_c, next) =>
      proceed(next, Promise.reject(new Error('refused later')));
    const sync = await answers([observer, thrower]);
    expect(sync.chained).toEqual({ status: 418, body: '{"error":"refused"}', seen: '418' });
    expect(sync.chained).toEqual(sync.separate);
    const async = await answers([observer, rejecter]);
    expect(async.chained).toEqual({ status: 418, body: '{"error":"refused later"}', seen: '418' });
    expect(async.chained).toEqual(async.separate);
  });

  it('answers with a Response a step returns, without running the rest', async () => {
    const early: MiddlewareHandler = async (c) => c.text('early', 202);
    const never: MiddlewareHandler = () => {
      throw new Error('must not run');
    };
    const { chained, separate } = await answers([observer, early, never]);
    expect(chained).toEqual({ status: 202, body: 'early', seen: '202' });
    expect(chained).toEqual(separate);
  });

  it('leaves one step or none as it is', () => {
    const only: MiddlewareHandler = (_c, next) => proceed(next);
    expect(chainSteps([only], () => new Response())).toEqual([only]);
    expect(chainSteps([], () => new Response())).toEqual([]);
  });
});
