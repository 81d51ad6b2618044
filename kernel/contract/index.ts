/**
 * The extension contract: the only module an extension may import from the kernel.
 * Everything an extension author needs is re-exported here: defineExtension and its
 * types, route definitions, typed service refs, errors, pagination helpers, the
 * request context accessors, drizzle's query helpers, and the one zod.
 */
export { createRoute, z } from '@hono/zod-openapi';
export * as orm from 'drizzle-orm';
export * as pg from 'drizzle-orm/pg-core';
export { type Db, resultRows } from '../db/database.ts';
export type { EventInput, RecordedEvent } from '../events/record-event.ts';
export * from './act-as.ts';
export * from './agent-keys.ts';
export * from './blobs.ts';
export type {
  AuthContext,
  AuthenticatedActor,
  CallerScope,
  KernelContext,
  KernelEnv,
  Role,
  WorkspaceContext,
} from './context.ts';
export { authOf, callerScope, workspaceOf } from './context.ts';
export * from './errors.ts';
export * from './event-log.ts';
export * from './extension.ts';
export * from './extension-errors.ts';
export * from './extension-point.ts';
export * from './installation-config.ts';
export * from './jobs.ts';
export * from './json-sql.ts';
export { afterTimeId } from './keyset-sql.ts';
export * from './lifecycle.ts';
export * from './members.ts';
export * from './multipart.ts';
export { decodeCursor, decodeTimeIdCursor, encodeCursor, toPage } from './pagination.ts';
export * from './per-transaction.ts';
export * from './prepared-query.ts';
export * from './refs.ts';
export * from './request-body.ts';
export * from './route.ts';
export * from './secret-settings.ts';
export * from './service-factory.ts';
export * from './streams.ts';
export * from './values.ts';
