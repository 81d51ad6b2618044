/**
 * A route's kernel steps (body limit, authentication, workspace, gate, role, input
 * checks) as one Hono handler.
 *
 * Hono's router keeps an entry per handler of a route, and matching a request gathers
 * and orders every entry on its path: a parameter object and a sort per entry, on
 * every request. As separate handlers the steps made eleven entries of a workspace GET;
 * chained they are one. They run as Hono's compose runs separate handlers: in order,
 * each step's next() entering the following one; an Error a step throws becomes the
 * error handler's response at that step, so the steps before it see that response
 * after their next(), as before; a Response a step returns is the answer unless one
 * was already set.
 */
import type { Env, ErrorHandler, MiddlewareHandler } from 'hono';

export function chainSteps<E extends Env>(
  steps: MiddlewareHandler<E>[],
  onError: ErrorHandler<E>,
): MiddlewareHandler<E>[] {
  if (steps.length <= 1) return steps;
  const chained: MiddlewareHandler<E> = (c, next) => {
    let index = -1;
    // Not async: a step that has nothing to wait for (see proceed.ts) costs no frame here.
    const failed = (error: unknown): Promise<void> => {
      if (!(error instanceof Error)) throw error;
      c.error = error;
      return Promise.resolve(onError(error, c)).then((response) => {
        c.res = response;
      });
    };
    const answered = (response: unknown) => {
      if (response && c.finalized === false) c.res = response as Response;
    };
    const dispatch = (i: number): Promise<void> => {
      if (i <= index) return Promise.reject(new Error('next() called multiple times'));
      index = i;
      const step = steps[i];
      if (!step) return next();
      let result: ReturnType<MiddlewareHandler<E>>;
      try {
        result = step(c, () => dispatch(i + 1));
      } catch (error) {
        return failed(error);
      }
      return Promise.resolve(result).then(answered, failed);
    };
    return dispatch(0);
  };
  return [chained];
}
