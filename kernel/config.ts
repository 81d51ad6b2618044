/**
 * Process configuration, read once from the environment and validated, so a typo in
 * an operator's setting stops boot with a message instead of surfacing later.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { S3Settings } from './blobs/s3-blob-store.ts';
import { DEFAULT_CACHE_DIR } from './db/pglite-seed.ts';

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** `*` or exactly what a browser sends in Origin: scheme, host and port, no path. */
function isOrigin(value: string): boolean {
  if (value === '*') return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\/./i.test(value), {
      message:
        'must be a PostgreSQL URL (postgres://user:password@host:5432/database); leave it unset for the embedded database',
    })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_PREPARE: booleanFlag.default(true),
  MASKIN_DATA_DIR: z.string().default('./.maskin/data'),
  MASKIN_CACHE_DIR: z.string().optional(),
  MASKIN_BOOTSTRAP: booleanFlag.default(true),
  MASKIN_SIGNUP: z.enum(['open', 'closed']).default('open'),
  MASKIN_CORS_ORIGINS: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      for (const origin of list(value)) {
        if (!isOrigin(origin)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${origin}" is not an origin; use comma-separated scheme://host[:port] values (https://app.example.com) or *`,
          });
        }
      }
    }),
  MASKIN_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  MASKIN_PUBLIC_URL: z.string().url().optional(),
  MASKIN_EXTENSIONS: z.string().default(''),
  MASKIN_STRICT_EXTENSIONS: booleanFlag.default(false),
  MASKIN_SECRET_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32,
      'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    )
    .optional(),
  MASKIN_SSE_MAX_STREAMS_PER_ACTOR: z.coerce.number().int().min(1).default(20),
  MASKIN_SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  MASKIN_SSE_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  MASKIN_BLOB_DIR: z.string().optional(),
  MASKIN_S3_BUCKET: z.string().min(1).optional(),
  MASKIN_S3_PREFIX: z.string().default(''),
  MASKIN_S3_REGION: z.string().default('us-east-1'),
  MASKIN_S3_ENDPOINT: z.string().url().optional(),
  MASKIN_S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  MASKIN_S3_ACCESS_KEY_ID: z.string().optional(),
  MASKIN_S3_SECRET_ACCESS_KEY: z.string().optional(),
  MASKIN_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(1200),
  MASKIN_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(1200),
  MASKIN_RATE_LIMIT_SIGNUP: z.coerce.number().int().min(0).default(20),
  MASKIN_TRUST_PROXY: booleanFlag.default(false),
  // Default: 10 and 3 times the per-actor cap.
  MASKIN_SSE_MAX_STREAMS_PER_WORKSPACE: z.coerce.number().int().min(1).optional(),
  MASKIN_SSE_MAX_STREAMS_PER_PERSON: z.coerce.number().int().min(1).optional(),
  MASKIN_MAX_AGENTS_PER_WORKSPACE: z.coerce.number().int().min(1).default(100),
  MASKIN_MAX_KEYS_PER_ACTOR: z.coerce.number().int().min(1).default(50),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface KernelConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Named prepared statements on PostgreSQL; off behind transaction-pooling proxies (PgBouncer). */
  databasePrepare: boolean;
  dataDir: string;
  /** Regenerable files: the blank embedded-database seed (kernel/db/pglite-seed.ts). */
  cacheDir: string;
  bootstrap: boolean;
  signup: 'open' | 'closed';
  corsOrigins: string[];
  bodyLimit: number;
  publicUrl: string | undefined;
  /** Extra extension packages or paths to load, beyond core-extensions/ and extensions/. */
  extensionSources: string[];
  /** A failed extension stops boot instead of answering 503 (on under `npm run dev`). */
  strictExtensions: boolean;
  /** Encryption key for the secrets service (32 bytes, base64). */
  secretKey: string | undefined;
  /** Open streams one actor may hold in this process, event and extension streams together. */
  sseMaxStreamsPerActor: number;
  /**
   * Interval of the SSE comment heartbeat. Each stream hub also probes its LISTEN
   * connection on this tick, and the stream guard re-checks keys that expire; there is
   * no periodic re-read of the streams (a lost NOTIFY is recovered on reconnect).
   */
  sseHeartbeatMs: number;
  /** Bytes a stream client may have queued in this process before it is closed as too slow. */
  sseMaxBufferedBytes: number;
  /**
   * Where blobs (files, session snapshots) live: a folder (MASKIN_BLOB_DIR, default
   * MASKIN_DATA_DIR/blobs) or an S3-compatible bucket when MASKIN_S3_BUCKET is set.
   * Holds the S3 credentials, so extensions do not see it through configRef.
   */
  blobs: { kind: 'folder'; root: string } | ({ kind: 's3' } & S3Settings);
  /** Requests per minute per API key (0: off), counted in PostgreSQL across instances. */
  rateLimitPerKey: number;
  /** Requests per minute per client address (0: off). */
  rateLimitPerAddress: number;
  /** Signups per hour per client address (0: off). */
  rateLimitSignup: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy you run). */
  trustProxy: boolean;
  /** Open streams per workspace in this process. */
  sseMaxStreamsPerWorkspace: number;
  /** Open streams per person in this process, their agents' streams included. */
  sseMaxStreamsPerPerson: number;
  /** Agents one workspace may create. */
  maxAgentsPerWorkspace: number;
  /** Unrevoked, unexpired API keys one actor may hold. */
  maxKeysPerActor: number;
  logLevel: string;
}

/**
 * An empty variable means unset (`PORT=` in a .env file or a compose template), not
 * zero or an empty string: `PORT=` otherwise listened on a random port.
 */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') set[name] = value;
  }
  return set;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): KernelConfig {
  const parsed = configSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    databasePrepare: c.DATABASE_PREPARE,
    dataDir: c.MASKIN_DATA_DIR,
    cacheDir: c.MASKIN_CACHE_DIR ?? DEFAULT_CACHE_DIR,
    bootstrap: c.MASKIN_BOOTSTRAP,
    signup: c.MASKIN_SIGNUP,
    corsOrigins: list(c.MASKIN_CORS_ORIGINS).map((origin) => origin.replace(/\/$/, '')),
    bodyLimit: c.MASKIN_BODY_LIMIT,
    publicUrl: c.MASKIN_PUBLIC_URL,
    extensionSources: list(c.MASKIN_EXTENSIONS),
    strictExtensions: c.MASKIN_STRICT_EXTENSIONS,
    secretKey: c.MASKIN_SECRET_KEY,
    sseMaxStreamsPerActor: c.MASKIN_SSE_MAX_STREAMS_PER_ACTOR,
    sseHeartbeatMs: c.MASKIN_SSE_HEARTBEAT_MS,
    sseMaxBufferedBytes: c.MASKIN_SSE_MAX_BUFFERED_BYTES,
    blobs: c.MASKIN_S3_BUCKET
      ? {
          kind: 's3',
          bucket: c.MASKIN_S3_BUCKET,
          prefix: c.MASKIN_S3_PREFIX,
          region: c.MASKIN_S3_REGION,
          endpoint: c.MASKIN_S3_ENDPOINT,
          forcePathStyle: c.MASKIN_S3_FORCE_PATH_STYLE,
          accessKeyId: c.MASKIN_S3_ACCESS_KEY_ID,
          secretAccessKey: c.MASKIN_S3_SECRET_ACCESS_KEY,
        }
      : { kind: 'folder', root: c.MASKIN_BLOB_DIR ?? join(c.MASKIN_DATA_DIR, 'blobs') },
    rateLimitPerKey: c.MASKIN_RATE_LIMIT_PER_KEY,
    rateLimitPerAddress: c.MASKIN_RATE_LIMIT_PER_ADDRESS,
    rateLimitSignup: c.MASKIN_RATE_LIMIT_SIGNUP,
    trustProxy: c.MASKIN_TRUST_PROXY,
    sseMaxStreamsPerWorkspace:
      c.MASKIN_SSE_MAX_STREAMS_PER_WORKSPACE ?? 10 * c.MASKIN_SSE_MAX_STREAMS_PER_ACTOR,
    sseMaxStreamsPerPerson: c.MASKIN_SSE_MAX_STREAMS_PER_PERSON ?? 3 * c.MASKIN_SSE_MAX_STREAMS_PER_ACTOR,
    maxAgentsPerWorkspace: c.MASKIN_MAX_AGENTS_PER_WORKSPACE,
    maxKeysPerActor: c.MASKIN_MAX_KEYS_PER_ACTOR,
    logLevel: c.LOG_LEVEL,
  };
}
