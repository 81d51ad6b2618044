/**
 * Sessions over HTTP and MCP: create, list, get, start, stop, pause, resume, input.
 * Each mutation is a state transition with its event in one transaction (service.ts);
 * stopping a running session is a status change that the owning instance turns into
 * killing the process group (runner.ts), whichever instance took the request.
 */
import {
  afterTimeId,
  authOf,
  createRoute,
  type Db,
  decodeTimeIdCursor,
  defineRoute,
  type ExtensionMembers,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  notFound,
  orm,
  pageOf,
  pageQuery,
  toPage,
  workspaceOf,
  z,
} from '@maskin/contract';
import type { SessionStatus } from '../api.ts';
import { createSession } from '../create.ts';
import { errors, type SessionsSettings } from '../manifest.ts';
import { admit, type SessionCore, sessionJson, transition } from '../service.ts';
import { inputs, sessions } from '../tables.ts';
import { createSessionSchema, sessionIdParam, sessionSchema, statusSchema } from './schemas.ts';

const { and, desc, eq } = orm;
const tags = ['Sessions'];

const invalidState = (message: string) => extensionError({ errors }, 'SESSIONS_INVALID_STATE', message);

export function sessionRoutes(core: SessionCore & { members: ExtensionMembers }) {
  const { db } = core;
  const load = async (workspaceId: string, id: string, on: Db = db) => {
    const [row] = await on
      .select()
      .from(sessions)
      .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)));
    if (!row) throw notFound(`Session ${id} not found`);
    return row;
  };
  const sessionResponse = (description: string) => jsonResponse(sessionSchema, description);

  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_session',
        description:
          'Starts an agent session: the agent (an agent actor with a runtime profile) works on the prompt as a process that uses this API over MCP. Queued at once unless auto_start is false; returns the session (poll get_session or read get_session_logs).',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create a session (queued at once unless auto_start is false)',
        request: { body: jsonBody(createSessionSchema) },
        responses: { 201: sessionResponse('The session'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const body = c.req.valid('json');
        const settings: SessionsSettings = await core.settings(workspaceId);
        const row = await db.transaction((tx) =>
          createSession(core, tx, settings, {
            workspaceId,
            agentId: body.agent_id,
            prompt: body.prompt,
            createdBy: authOf(c).actor.id,
            parentSessionId: body.parent_session_id,
            autoStart: body.auto_start,
            config: body.config,
          }),
        );
        return c.json(sessionJson(await load(workspaceId, row.id)), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_sessions',
        description:
          'Lists agent sessions of the workspace, newest first, optionally by status, agent (actor_id) or trigger; each with its status, reason and usage.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List sessions, newest first',
        request: {
          query: pageQuery.extend({
            status: statusSchema.optional(),
            actor_id: z.string().uuid().optional(),
            trigger_id: z.string().uuid().optional(),
          }),
        },
        responses: { 200: jsonResponse(pageOf(sessionSchema), 'Sessions'), ...errorResponses },
      }),
      handler: async (c) => {
        const query = c.req.valid('query');
        const conditions = [
          eq(sessions.workspaceId, workspaceOf(c).id),
          query.status ? eq(sessions.status, query.status) : undefined,
          query.actor_id ? eq(sessions.actorId, query.actor_id) : undefined,
          query.trigger_id ? eq(sessions.triggerId, query.trigger_id) : undefined,
        ];
        if (query.cursor) {
          const { at, id } = decodeTimeIdCursor(query.cursor);
          conditions.push(afterTimeId('desc', { time: sessions.createdAt, id: sessions.id }, { at, id }));
        }
        const rows = await db
          .select()
          .from(sessions)
          .where(and(...conditions))
          .orderBy(desc(sessions.createdAt), desc(sessions.id))
          .limit(query.limit + 1);
        return c.json(
          toPage(rows, query.limit, sessionJson, (row) => [row.createdAt.toISOString(), row.id]),
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_session',
        description:
          'Returns one agent session: status, reason it ended, timestamps, and token and cost usage so far.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get a session',
        request: { params: sessionIdParam },
        responses: { 200: sessionResponse('The session'), ...errorResponses },
      }),
      handler: async (c) => c.json(sessionJson(await load(workspaceOf(c).id, c.req.valid('param').id)), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'post',
        path: '/{id}/start',
        tags,
        summary: 'Queue a pending session',
        description:
          'Queues a session created with auto_start false; it starts when the workspace and the agent have room under their concurrency limits (FIFO).',
        request: { params: sessionIdParam },
        responses: { 200: sessionResponse('The session'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        await db.transaction(async (tx) => {
          const row = await transition(core, tx, workspaceId, id, {
            from: ['pending'],
            to: 'queued',
            actorId: authOf(c).actor.id,
            set: { queuedAt: new Date() },
          });
          if (!row)
            throw invalidState(`Session ${id} is ${(await load(workspaceId, id, tx)).status}, not pending`);
          await admit(core, workspaceId, tx);
        });
        return c.json(sessionJson(await load(workspaceId, id)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'stop_session',
        description:
          'Stops an agent session that has not ended (pending, queued, starting, running or paused); a running agent process and everything it started is killed within seconds.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/stop',
        tags,
        summary: 'Stop a session (from pending, queued, starting, running or paused)',
        request: { params: sessionIdParam },
        responses: { 200: sessionResponse('The stopped session'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        const from: SessionStatus[] = ['pending', 'queued', 'starting', 'running', 'paused'];
        await db.transaction(async (tx) => {
          const row = await transition(core, tx, workspaceId, id, {
            from,
            to: 'stopped',
            actorId: authOf(c).actor.id,
            reason: `stopped by ${authOf(c).actor.id}`,
          });
          if (!row) {
            const current = await load(workspaceId, id, tx);
            throw invalidState(`Session ${id} has already ended (${current.status})`);
          }
        });
        await admit(core, workspaceId);
        return c.json(sessionJson(await load(workspaceId, id)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'post',
        path: '/{id}/pause',
        tags,
        summary: 'Pause a running session: its working directory is archived, then the process stops (202)',
        description:
          'Pauses a running session: its working directory is archived to the blob store and the process stops (202: the owning instance does it within a control interval). Resume it with POST /{id}/resume.',
        request: { params: sessionIdParam },
        responses: {
          202: sessionResponse('Pause requested; the session becomes paused shortly'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        await db.transaction(async (tx) => {
          const [row] = await tx
            .update(sessions)
            .set({ pauseRequested: true })
            .where(
              and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id), eq(sessions.status, 'running')),
            )
            .returning();
          if (!row)
            throw invalidState(
              `Only a running session can be paused; ${id} is ${(await load(workspaceId, id, tx)).status}`,
            );
          await core.events.record(tx, {
            workspaceId,
            actorId: authOf(c).actor.id,
            type: 'session.pause_requested',
            entityType: 'session',
            entityId: id,
            data: { status: row.status },
          });
        });
        return c.json(sessionJson(await load(workspaceId, id)), 202);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'post',
        path: '/{id}/resume',
        tags,
        summary: 'Resume a paused session from its snapshot, optionally with a message',
        description:
          'Resumes a paused session: the snapshot is restored into a fresh directory and the runtime restarts in resume mode (Claude Code --resume), with `input` as its next message.',
        request: {
          params: sessionIdParam,
          body: jsonBody(
            z.object({ input: z.string().min(1).max(100_000).optional() }).openapi('SessionsResume'),
          ),
        },
        responses: { 200: sessionResponse('The session, queued again'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        await db.transaction((tx) =>
          resumeSession(core, tx, workspaceId, id, {
            actorId: authOf(c).actor.id,
            input: c.req.valid('json').input,
          }),
        );
        return c.json(sessionJson(await load(workspaceId, id)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'post',
        path: '/{id}/input',
        tags,
        summary: "Send a message to a running session's agent (its standard input)",
        description: 'Sends one message to the standard input of a running interactive session.',
        request: {
          params: sessionIdParam,
          body: jsonBody(z.object({ text: z.string().min(1).max(100_000) }).openapi('SessionsInput')),
        },
        responses: {
          202: jsonResponse(z.object({ id: z.string().uuid() }), 'Accepted for delivery'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        const actorId = authOf(c).actor.id;
        const inputId = await db.transaction(async (tx) => {
          const row = await load(workspaceId, id, tx);
          if (row.status !== 'running' && row.status !== 'starting') {
            throw invalidState(`Input goes to a running session; ${id} is ${row.status}`);
          }
          const [input] = await tx
            .insert(inputs)
            .values({ workspaceId, sessionId: id, text: c.req.valid('json').text, createdBy: actorId })
            .returning();
          await core.events.record(tx, {
            workspaceId,
            actorId,
            type: 'session.input',
            entityType: 'session',
            entityId: id,
            data: { input_id: input!.id, length: input!.text.length },
          });
          return input!.id;
        });
        return c.json({ id: inputId }, 202);
      },
    }),
  ];
}

/** paused -> queued with the resume message; the runner restores the snapshot and resumes. */
export async function resumeSession(
  core: SessionCore,
  tx: Db,
  workspaceId: string,
  id: string,
  options: { actorId: string; input?: string },
) {
  const [current] = await tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)))
    .for('update');
  if (!current) throw notFound(`Session ${id} not found`);
  const row = await transition(core, tx, workspaceId, id, {
    from: ['paused'],
    to: 'queued',
    actorId: options.actorId,
    set: {
      queuedAt: new Date(),
      resumeCount: current.resumeCount + 1,
      instanceId: null,
      config: { ...current.config, resume_input: options.input },
    },
    data: { resume: true },
  });
  if (!row) throw invalidState(`Only a paused session can be resumed; ${id} is ${current.status}`);
  await admit(core, workspaceId, tx);
  return row;
}
