/**
 * Rate limits per API key and per client address, counted in PostgreSQL so they hold
 * across instances (issue 10, finding 11). Over a limit: 429 RATE_LIMITED with
 * Retry-After (seconds until the window ends).
 *
 * Fixed windows: one row per bucket and window, `used` raised by an upsert. So that a
 * busy key does not cost a write per request, a process claims its allowance in
 * batches (a twentieth of the limit, at least 1) and spends it locally; across N
 * processes a bucket may therefore overshoot by at most N batches, never more. Small
 * limits (signup) use batches of 1 and are exact. A window that is used up is
 * remembered locally until it ends, so refused requests cost no query either.
 *
 * The client address is the socket's peer, or with MASKIN_TRUST_PROXY the first
 * X-Forwarded-For entry. In-process requests (tests, act-as, MCP's inner calls) have
 * no socket and are limited by key only.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { actAsCredentialOf } from './act-as-credential.ts';
import { proceed } from './proceed.ts';

export interface RateLimit {
  /** Requests allowed per window; 0 turns the limit off. */
  limit: number;
  windowMs: number;
}

interface LocalWindow {
  windowStart: number;
  remaining: number;
  exhausted: boolean;
}

const SWEEP_EVERY_MS = 60_000;
const MAX_LOCAL_BUCKETS = 100_000;

export class RateLimiter {
  private readonly local = new Map<string, LocalWindow>();
  private lastSweep = 0;

  /** The time windows are computed from; tests pin it so no window ends mid-test. */
  clock: () => number = Date.now;

  constructor(
    private readonly database: Database,
    private readonly logger?: Logger,
  ) {}

  /**
   * Takes one request from `bucket`, or throws 429 with Retry-After. Returns undefined
   * when the process's own allowance covers it (almost every request) and a promise
   * only when it must claim a batch from the database: no async frame per request.
   */
  take(bucket: string, rule: RateLimit, what: string): Promise<void> | undefined {
    if (rule.limit <= 0) return undefined;
    const now = this.clock();
    const windowStart = Math.floor(now / rule.windowMs) * rule.windowMs;
    const key = `${bucket}@${rule.windowMs}`;
    let entry = this.local.get(key);
    if (!entry || entry.windowStart !== windowStart) {
      if (this.local.size >= MAX_LOCAL_BUCKETS) this.local.clear();
      entry = { windowStart, remaining: 0, exhausted: false };
      this.local.set(key, entry);
    }
    if (entry.remaining > 0) {
      entry.remaining--;
      return undefined;
    }
    return this.claim(key, entry, rule, what, now, windowStart);
  }

  /** The local allowance is spent: claim a batch, or refuse. */
  private async claim(
    key: string,
    entry: LocalWindow,
    rule: RateLimit,
    what: string,
    now: number,
    windowStart: number,
  ): Promise<void> {
    if (!entry.exhausted) {
      const batch = Math.max(1, Math.floor(rule.limit / 20));
      const [row] = await this.database.query<{ used: number }>(
        `insert into rate_limit_windows (bucket, window_start, used) values ($1, $2, $3)
         on conflict (bucket, window_start) do update set used = rate_limit_windows.used + excluded.used
         returning used`,
        [key, new Date(windowStart).toISOString(), batch],
      );
      const used = Number(row!.used);
      const granted = batch - Math.max(0, used - rule.limit);
      if (granted > 0) {
        entry.remaining = granted - 1;
        this.sweepSometimes(now);
        return;
      }
      entry.exhausted = true;
    }
    const retryAfter = Math.max(1, Math.ceil((windowStart + rule.windowMs - now) / 1000));
    throw new ApiError(
      429,
      'RATE_LIMITED',
      `Too many requests ${what}: at most ${rule.limit} per ${Math.round(rule.windowMs / 1000)} s; retry after ${retryAfter} s`,
      undefined,
      { 'Retry-After': String(retryAfter) },
    );
  }

  private sweepSometimes(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    this.database
      .query("delete from rate_limit_windows where window_start < now() - interval '2 hours'")
      .catch((error) => this.logger?.warn({ err: error }, 'rate limit sweep failed'));
  }
}

export interface RateLimitRules {
  perKey: RateLimit;
  perAddress: RateLimit;
  signupPerAddress: RateLimit;
  trustProxy: boolean;
}

const MINUTE = 60_000;

export function rateLimitRules(config: {
  rateLimitPerKey: number;
  rateLimitPerAddress: number;
  rateLimitSignup: number;
  trustProxy: boolean;
}): RateLimitRules {
  return {
    perKey: { limit: config.rateLimitPerKey, windowMs: MINUTE },
    perAddress: { limit: config.rateLimitPerAddress, windowMs: MINUTE },
    signupPerAddress: { limit: config.rateLimitSignup, windowMs: 60 * MINUTE },
    trustProxy: config.trustProxy,
  };
}

/**
 * After authentication: every request made with an API key counts against the key.
 * Undefined when the limit is off: no step at all.
 */
export function keyRateLimit(
  limiter: RateLimiter,
  rules: RateLimitRules,
): MiddlewareHandler<KernelEnv> | undefined {
  if (rules.perKey.limit <= 0) return undefined;
  return (c, next) => {
    const auth = c.get('auth');
    // An act-as call is the server's own work on an actor's behalf, not a client's request.
    if (!auth || actAsCredentialOf(c)) return proceed(next);
    return proceed(next, limiter.take(`key:${auth.apiKeyId}`, rules.perKey, 'with this API key'));
  };
}

/** The client's address, or undefined for an in-process request. */
export function clientAddress(c: Context<KernelEnv>, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * Root middleware: every request from a client address counts against it. Undefined
 * when the limit is off.
 */
export function addressRateLimit(
  limiter: RateLimiter,
  rules: RateLimitRules,
): MiddlewareHandler<KernelEnv> | undefined {
  if (rules.perAddress.limit <= 0) return undefined;
  return (c, next) => {
    const address = clientAddress(c, rules.trustProxy);
    if (address === undefined) return proceed(next);
    return proceed(next, limiter.take(`address:${address}`, rules.perAddress, 'from this address'));
  };
}
