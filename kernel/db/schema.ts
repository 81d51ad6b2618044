/** Drizzle table definitions for the kernel's tables (migrations/0001_kernel.sql). */
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

export const actors = pgTable('actors', {
  id: uuid('id').primaryKey().defaultRandom(),
  type: text('type', { enum: ['human', 'agent'] }).notNull(),
  name: text('name').notNull(),
  email: text('email'),
  createdBy: uuid('created_by'),
  /** Agents: the workspace it was created in (its owners can always audit its keys). */
  homeWorkspaceId: uuid('home_workspace_id'),
  ...timestamps,
});

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  createdBy: uuid('created_by'),
  ...timestamps,
});

export const roles = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: uuid('workspace_id').notNull(),
    actorId: uuid('actor_id').notNull(),
    role: text('role', { enum: roles }).notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.actorId] })],
);

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  actorId: uuid('actor_id').notNull(),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull(),
  displayPrefix: text('display_prefix').notNull(),
  createdBy: uuid('created_by'),
  createdAt: timestamps.createdAt,
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  /** Set for keys limited to one workspace (session keys, kernel/capabilities/agent-keys.ts). */
  workspaceId: uuid('workspace_id'),
});

export const events = pgTable(
  'events',
  {
    scope: uuid('scope').notNull(),
    id: bigint('id', { mode: 'number' }).notNull(),
    workspaceId: uuid('workspace_id'),
    type: text('type').notNull(),
    actorId: uuid('actor_id'),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.scope, t.id] })],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['running', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    secretWithheld: boolean('secret_withheld').notNull().default(false),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.method, t.route, t.key] })],
);

export const workspaceInvitations = pgTable('workspace_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  workspaceId: uuid('workspace_id').notNull(),
  email: text('email').notNull(),
  role: text('role', { enum: roles }).notNull(),
  invitedBy: uuid('invited_by'),
  status: text('status', { enum: ['pending', 'accepted', 'declined', 'revoked'] })
    .notNull()
    .default('pending'),
  createdAt: timestamps.createdAt,
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date' }),
  respondedBy: uuid('responded_by'),
});
