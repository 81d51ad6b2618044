/**
 * Retry delays: exponential back-off, `base * 2^(attempt - 1)`, capped. No jitter:
 * retries of different jobs are already spread by when they failed, and a fixed
 * schedule keeps the delay a job waits explainable from its row.
 */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/** The delay before the run after `attempt` (1-based) failed. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs = MAX_RETRY_DELAY_MS): number {
  if (baseMs <= 0) return 0;
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity long before it matters; the cap handles it.
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
