/**
 * `npm start`: boot the kernel, listen on PORT, print the first-start banner, and
 * shut down gracefully on SIGINT/SIGTERM: stop accepting, end long-lived streams,
 * let in-flight requests finish (bounded), then close the database.
 */
import { type ServerType, serve } from '@hono/node-server';
import { bootstrapBanner, bootstrapIfEmpty } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { createKernel, createLogger } from './kernel.ts';

const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const kernel = await createKernel({ config, logger });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: kernel.app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  logger.info({ url, database: kernel.services.database.kind }, 'listening');
  // For the human at the terminal: a failed extension is otherwise one JSON log line.
  if (kernel.services.registry) process.stderr.write(`${kernel.services.registry.summary()}\n`);
  await kernel.ready();

  if (config.bootstrap) {
    const created = await bootstrapIfEmpty(kernel);
    if (created) process.stdout.write(`${bootstrapBanner(url, created)}\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await kernel.beforeShutdown();
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(timer);
    await kernel.close();
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
