/**
 * `npm start`: take the listen address, boot the kernel, print one summary line (and
 * the first-start banner), and shut down gracefully on SIGINT/SIGTERM: stop accepting,
 * end long-lived streams, let in-flight requests finish (bounded), then close the
 * database.
 *
 * The address is bound before any database work: a port in use or a HOST that does
 * not resolve fails in milliseconds with one line, not after the migrations. Until the
 * kernel is booted, the bound server answers 503 UNAVAILABLE (health checks included).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { bootstrapBanner, bootstrapIfEmpty } from './bootstrap.ts';
import { type KernelConfig, loadConfig } from './config.ts';
import type { Database } from './db/database.ts';
import { describeDatabase, openConfiguredDatabase } from './db/open-database.ts';
import { createKernel, createLogger, type Kernel } from './kernel.ts';

const SHUTDOWN_GRACE_MS = 10_000;

/** Resolves once `response` has handed its last byte to the socket, or its connection is gone. */
function written(response: ServerResponse): Promise<void> {
  if (response.writableFinished || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    response.once('finish', resolve);
    response.once('close', resolve);
  });
}

/** Lines for the human at the terminal; stdout stays for the banner, the JSON log for machines. */
const say = (message: string) => process.stderr.write(`maskin: ${message}\n`);

function startingResponse(): Response {
  const body = { error: { code: 'UNAVAILABLE', message: 'Maskin is starting; retry in a moment' } };
  return Response.json(body, { status: 503, headers: { 'Retry-After': '1' } });
}

async function listen(server: ServerType, config: KernelConfig): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(listenFailure(error, config));
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : config.port;
}

function listenFailure(error: NodeJS.ErrnoException, config: KernelConfig): string {
  const where = `${config.host}:${config.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use; stop the other process or set PORT to a free port`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot listen on ${where}: HOST "${config.host}" does not resolve; set HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for every interface)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: HOST "${config.host}" is not an address of this machine; set HOST to 127.0.0.1, or 0.0.0.0 for every interface`;
    case 'EACCES':
      return `cannot listen on ${where}: ports below 1024 need privileges; set PORT to 1024 or above`;
    default:
      return `cannot listen on ${where}: ${error.message}`;
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** Migration ledger rows, so the summary can say how many this start applied. */
async function migrationCount(database: Database): Promise<number> {
  const [ledger] = await database.query<{ name: string | null }>(
    `select to_regclass('maskin_migrations')::text as name`,
  );
  if (!ledger?.name) return 0;
  const [row] = await database.query<{ count: string | number }>(
    'select count(*) as count from maskin_migrations',
  );
  return Number(row?.count ?? 0);
}

async function main() {
  const started = performance.now();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  let kernel: Kernel | undefined;
  const server = createAdaptorServer({
    fetch: (request, env) => (kernel ? kernel.app.fetch(request, env) : startingResponse()),
  });
  const port = await listen(server, config);
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  if (config.signup === 'open' && !isLoopback(config.host)) {
    say(
      `warning: signup is open and HOST ${config.host} is reachable from other machines: anyone who reaches ${url} can create an account. Set MASKIN_SIGNUP=closed and add people with invitations or the maskin CLI.`,
    );
  }

  const database = await openConfiguredDatabase(config, say);
  let booted: Kernel;
  let applied: number;
  try {
    const before = await migrationCount(database);
    booted = await createKernel({ config, logger, database, progress: say });
    applied = (await migrationCount(database)) - before;
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  kernel = booted;
  logger.info({ url, database: database.kind }, 'listening');
  const registry = booted.services.registry;
  const ready = registry?.extensions.filter((e) => e.status === 'ready').length ?? 0;
  const failed = registry?.extensions.filter((e) => e.status === 'failed') ?? [];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(
    [
      `listening on ${url}`,
      describeDatabase(config),
      `${ready} extensions loaded, ${failed.length} failed${failed.length ? ` (${failed.map((e) => `${e.id}: ${e.failure}`).join('; ')})` : ''}`,
      `${applied} migrations applied`,
      `API reference ${url}/docs`,
      `started in ${seconds} s`,
    ].join(' · '),
  );
  await booted.ready();

  if (config.bootstrap) {
    const created = await bootstrapIfEmpty(booted);
    if (created) process.stdout.write(`${bootstrapBanner(url, created)}\n`);
  }

  // Responses being written, so shutdown can wait until each has reached its socket.
  const responses = new Set<ServerResponse>();
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    responses.add(response);
    response.once('close', () => responses.delete(response));
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await booted.beforeShutdown();
    const timer = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    // Node's closeIdleConnections destroys a keep-alive connection as soon as its response
    // has ended, even while the end is still in the socket's buffer: under load that cut
    // off a stream's last frame (the retry hint beforeShutdown just wrote). So first every
    // response in flight finishes writing (or its client goes), then idle connections close.
    await Promise.all([...responses].map(written));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    await closed;
    clearTimeout(timer);
    await booted.close();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`maskin failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
