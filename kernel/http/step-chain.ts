/**
 * Handlers registered together as one Hono handler: a route's kernel steps (body
 * limit, authentication, workspace, gate, role, input checks), its validators and its
 * handler (build-router.ts, foldRegistrations), and the root steps every request
 * passes (root-app.ts).
 *
 * Hono's router keeps an entry per handler of a route, and matching a request gathers
 * and orders every entry on its path: a parameter object and a sort per entry, and an
 * async frame of compose per entry, on every request. As separate handlers a workspace
 * GET went through fourteen entries; chained, through two. They run as Hono's compose
 * runs separate handlers: in order, each step's next() entering the following one; an
 * Error a step throws becomes the error handler's response at that step, so the steps
 * before it see that response after their next(), as before; a Response a step returns
 * is the answer unless one was already set.
 */
import type { Context, Env, ErrorHandler, MiddlewareHandler, Next } from 'hono';

export function chainSteps<E extends Env>(
  steps: MiddlewareHandler<E>[],
  onError: ErrorHandler<E>,
): MiddlewareHandler<E>[] {
  if (steps.length <= 1) return steps;
  return [(c, next) => new StepRun(steps, onError, c, next).dispatch(0)];
}

/**
 * One request's pass through the steps. A class rather than closures made per request:
 * the server runs under tsx, whose esbuild build keeps function names, so every named
 * closure created per request also cost a defineProperty call (about 2 µs of a GET's
 * CPU under load for the three this chain made).
 */
class StepRun<E extends Env> {
  private index = -1;

  constructor(
    private readonly steps: MiddlewareHandler<E>[],
    private readonly onError: ErrorHandler<E>,
    private readonly c: Context<E>,
    private readonly next: Next,
  ) {}

  // Not async: a step that has nothing to wait for (see proceed.ts) costs no frame here.
  dispatch(i: number): Promise<void> {
    if (i <= this.index) return Promise.reject(new Error('next() called multiple times'));
    this.index = i;
    const step = this.steps[i];
    if (!step) return this.next();
    let result: ReturnType<MiddlewareHandler<E>>;
    try {
      result = step(this.c, () => this.dispatch(i + 1));
    } catch (error) {
      return this.failed(error);
    }
    return Promise.resolve(result).then(
      (response) => this.answered(response),
      (error) => this.failed(error),
    );
  }

  private answered(response: unknown): void {
    if (response && this.c.finalized === false) this.c.res = response as Response;
  }

  private failed(error: unknown): Promise<void> {
    if (!(error instanceof Error)) throw error;
    const c = this.c;
    c.error = error;
    return Promise.resolve(this.onError(error, c)).then((response) => {
      c.res = response;
    });
  }
}
