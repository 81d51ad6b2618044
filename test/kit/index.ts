/**
 * @maskin/test-kit: what an extension's tests import (the contract is @maskin/contract).
 *
 * - createTestKernel: the real kernel on a private database, in process, with a client
 *   over `app.request()`; `installed(definition)` wraps an extension for it.
 * - setupWithFakes: an extension's setup with fake services, no kernel, no database.
 * - runConformance: the suite every extension passes.
 * - Real-process and protocol helpers: a server child process, SSE and MCP clients.
 *
 * Tests run on the embedded PGlite by default and on PostgreSQL with DATABASE_URL;
 * vitest needs `globalSetup: ['@maskin/test-kit/global-setup']` (this repository's
 * vitest.config.ts has it).
 */
export { runConformance } from '../conformance/conformance.ts';
export { installed, tinyExtension } from '../helpers/extensions.ts';
export { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
export { collectToEnd, collectUntil, connectSse, serveKernel, waitFor } from '../helpers/sse-client.ts';
export {
  createPostgresDatabase,
  createProcessDatabase,
  createTestDatabase,
  usingPostgres,
} from '../helpers/test-database.ts';
export {
  type CallOptions,
  type CallResult,
  createTestKernel,
  type TestKernel,
  testConfig,
} from '../helpers/test-kernel.ts';
export {
  addMember,
  as,
  disableWithDependents,
  eventsOf,
  inviteAndAccept,
  type Member,
  setExtensionSettings,
  setObjectsSettings,
} from '../helpers/work-graph.ts';
export { callTool, connectMcp } from '../mcp/mcp-clients.ts';
export { type FakeServices, setupWithFakes } from './setup-with-fakes.ts';
