/**
 * Triggers over HTTP (and MCP): create, list, read, edit, delete, test, and the
 * history of runs. Writes record their event in the same transaction and (re)point a
 * time-based trigger at the job of its next slot there too.
 */
import {
  afterTimeId,
  authOf,
  callerScope,
  createRoute,
  type Db,
  decodeTimeIdCursor,
  defineRoute,
  type EventJson,
  type ExtensionActAs,
  type ExtensionEvents,
  type ExtensionJobs,
  type ExtensionMembers,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  notFound,
  orm,
  pageOf,
  toPage,
  validationError,
  workspaceOf,
} from '@maskin/contract';
import { eventMatches } from '../conditions.ts';
import {
  type CronConfig,
  configSchemaOf,
  type EventConfig,
  type ReminderConfig,
  type TriggerAction,
  type TriggerConfig,
  type TriggerType,
} from '../definition.ts';
import { renderAction, templateScope } from '../engine.ts';
import { errors, type TriggerEventType } from '../manifest.ts';
import { scheduleNext, upcomingSlots } from '../schedule.ts';
import { runs, type TriggerRow, triggers } from '../tables.ts';
import {
  createTriggerSchema,
  listRunsQuery,
  listTriggersQuery,
  runSchema,
  testResultSchema,
  toRunJson,
  toTriggerJson,
  triggerIdParam,
  triggerSchema,
  updateTriggerSchema,
} from './schemas.ts';

const { and, desc, eq } = orm;
const tags = ['Triggers'];
/** How many recent events POST /test checks against an event trigger. */
const TEST_WINDOW = 100;

export interface RouteDeps {
  db: Db;
  jobs: ExtensionJobs;
  members: ExtensionMembers;
  actAs: ExtensionActAs;
  events: ExtensionEvents<TriggerEventType>;
}

function parseConfig(type: TriggerType, config: unknown): TriggerConfig {
  const parsed = configSchemaOf[type].safeParse(config);
  if (parsed.success) return parsed.data as TriggerConfig;
  const details = parsed.error.issues.map((issue) => ({
    path: ['config', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw validationError(
    `Invalid ${type} trigger config: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    details,
  );
}

/** A session action must name an agent that is a member of the workspace. */
async function checkAction(tx: Db, members: ExtensionMembers, workspaceId: string, action: TriggerAction) {
  if (action.kind !== 'session') return;
  const [actor] = await members.getActors([action.agent_id], { tx });
  const isMember = (await members.membersAmong(workspaceId, [action.agent_id], tx)).has(action.agent_id);
  if (actor?.type !== 'agent' || !isMember) {
    throw extensionError(
      { errors },
      'AGENT_NOT_AVAILABLE',
      `Actor ${action.agent_id} is not an agent member of this workspace`,
      [{ path: 'action.agent_id', message: 'not an agent member of this workspace' }],
    );
  }
}

async function findTrigger(db: Db, workspaceId: string, id: string, lock = false): Promise<TriggerRow> {
  const query = db
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound(`Trigger ${id} not found`);
  return row;
}

export function triggerRoutes(deps: RouteDeps) {
  const { db, jobs, events } = deps;
  const record = (
    tx: Db,
    row: TriggerRow,
    actorId: string,
    type: TriggerEventType,
    data: Record<string, unknown>,
  ) =>
    events.record(tx, {
      workspaceId: row.workspaceId,
      actorId,
      type,
      entityType: 'trigger',
      entityId: row.id,
      data,
    });

  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_trigger',
        description:
          'Creates an automation in the current workspace. type cron fires on a schedule (config {expression: croner syntax, 6 fields puts seconds first, timezone, missed: skip|run_once}); type event fires on matching events (config {types: ["object.status_changed"], conditions: {entity_type, from_status, to_status, metadata: [{field: "data.to", operator: equals|not_equals|greater_than|less_than|before|after|within_days|is_set|is_not_set|contains, value}]}}); type reminder fires once at config.at. The action either starts a session for an agent member ({kind: "session", agent_id, prompt}) or calls one API operation as you ({kind: "operation", method, path, body}); prompt, path and body may insert {{event.type}}, {{event.entity_id}}, {{event.data.<field>}}, {{trigger.name}}, {{scheduled_for}}. Each firing is claimed once across all instances; failing firings back off exponentially, and after max_consecutive_failures in a row (a workspace setting) the trigger disables itself. Returns the trigger with next_run_at.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create a trigger',
        request: { body: jsonBody(createTriggerSchema) },
        responses: { 201: jsonResponse(triggerSchema, 'The trigger'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const input = c.req.valid('json');
        const config = parseConfig(input.type, input.config);
        const created = await db.transaction(async (tx) => {
          await checkAction(tx, deps.members, scope.workspaceId, input.action);
          const [row] = await tx
            .insert(triggers)
            .values({
              workspaceId: scope.workspaceId,
              name: input.name,
              type: input.type,
              config,
              action: input.action,
              enabled: input.enabled,
              maxFiresPerHour: input.max_fires_per_hour,
              consecutiveFailures: 0,
              createdBy: scope.actorId,
            })
            .returning();
          await scheduleNext(tx, jobs, row!, new Date());
          const current = await findTrigger(tx, scope.workspaceId, row!.id);
          await record(tx, current, scope.actorId, 'trigger.created', {
            name: current.name,
            type: current.type,
          });
          return current;
        });
        return c.json(toTriggerJson(created), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_triggers',
        description:
          'Lists the triggers of the current workspace, newest first, filtered by type (cron, event, reminder) and enabled. Pages of up to 200: pass next_cursor back as cursor.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List triggers',
        request: { query: listTriggersQuery },
        responses: { 200: jsonResponse(pageOf(triggerSchema), 'A page of triggers'), ...errorResponses },
      }),
      handler: async (c) => {
        const { type, enabled, limit, cursor } = c.req.valid('query');
        const conditions = [eq(triggers.workspaceId, workspaceOf(c).id)];
        if (type) conditions.push(eq(triggers.type, type));
        if (enabled) conditions.push(eq(triggers.enabled, enabled === 'true'));
        if (cursor) {
          const { at, id } = decodeTimeIdCursor(cursor);
          conditions.push(afterTimeId('desc', { time: triggers.createdAt, id: triggers.id }, { at, id }));
        }
        const rows = await db
          .select()
          .from(triggers)
          .where(and(...conditions))
          .orderBy(desc(triggers.createdAt), desc(triggers.id))
          .limit(limit + 1);
        return c.json(
          toPage(rows, limit, toTriggerJson, (row) => [row.createdAt.toISOString(), row.id]),
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_trigger',
        description:
          'Reads one trigger: its config, action, whether it is enabled (and why not), failures and next run.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get a trigger',
        request: { params: triggerIdParam },
        responses: { 200: jsonResponse(triggerSchema, 'The trigger'), ...errorResponses },
      }),
      handler: async (c) =>
        c.json(toTriggerJson(await findTrigger(db, workspaceOf(c).id, c.req.valid('param').id)), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'update_trigger',
        description:
          'Changes a trigger: name, config (replaced whole, validated for its type), action, enabled, max_fires_per_hour. Enabling clears its failures and back-off. The type cannot change: delete and create instead.',
      },
      route: createRoute({
        method: 'patch',
        path: '/{id}',
        tags,
        summary: 'Update a trigger',
        request: { params: triggerIdParam, body: jsonBody(updateTriggerSchema) },
        responses: { 200: jsonResponse(triggerSchema, 'The trigger'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const { id } = c.req.valid('param');
        const patch = c.req.valid('json');
        const updated = await db.transaction(async (tx) => {
          const current = await findTrigger(tx, scope.workspaceId, id, true);
          const config = patch.config === undefined ? undefined : parseConfig(current.type, patch.config);
          if (patch.action) await checkAction(tx, deps.members, scope.workspaceId, patch.action);
          const enabling = patch.enabled === true && !current.enabled;
          const [row] = await tx
            .update(triggers)
            .set({
              ...(patch.name === undefined ? {} : { name: patch.name }),
              ...(config === undefined ? {} : { config }),
              ...(patch.action === undefined ? {} : { action: patch.action }),
              ...(patch.max_fires_per_hour === undefined
                ? {}
                : { maxFiresPerHour: patch.max_fires_per_hour }),
              ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
              ...(enabling ? { consecutiveFailures: 0, backoffUntil: null, disabledReason: null } : {}),
              ...(patch.enabled === false ? { disabledReason: null } : {}),
              updatedAt: new Date(),
            })
            .where(eq(triggers.id, id))
            .returning();
          if (config !== undefined || patch.enabled !== undefined)
            await scheduleNext(tx, jobs, row!, new Date());
          const after = await findTrigger(tx, scope.workspaceId, id);
          await record(tx, after, scope.actorId, 'trigger.updated', { changed: Object.keys(patch) });
          return after;
        });
        return c.json(toTriggerJson(updated), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'delete_trigger',
        description: 'Deletes a trigger and its run history; it stops firing at once.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete a trigger',
        request: { params: triggerIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const { id } = c.req.valid('param');
        await db.transaction(async (tx) => {
          const current = await findTrigger(tx, scope.workspaceId, id, true);
          if (current.nextJobId) await jobs.cancel(tx, current.nextJobId);
          await tx.delete(triggers).where(eq(triggers.id, id));
          await record(tx, current, scope.actorId, 'trigger.deleted', { name: current.name });
        });
        return c.body(null, 204);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'test_trigger',
        description:
          'Dry-runs a trigger without firing it: for an event trigger, which of the last 100 events of its types would have matched and the action each would run (rendered prompt or request); for cron and reminder triggers, the next firing times and the rendered action.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/test',
        tags,
        summary: 'Test a trigger against recent events (nothing fires)',
        request: { params: triggerIdParam },
        responses: { 200: jsonResponse(testResultSchema, 'What would have fired'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const trigger = await findTrigger(db, scope.workspaceId, c.req.valid('param').id);
        const now = new Date();
        if (trigger.type !== 'event') {
          const next_runs =
            trigger.type === 'cron'
              ? upcomingSlots(trigger.config as CronConfig, now, 5).map((d) => d.toISOString())
              : [(trigger.config as ReminderConfig).at];
          const scheduledFor = next_runs[0] ? new Date(next_runs[0]) : now;
          return c.json(
            {
              matches: [],
              checked_events: 0,
              next_runs,
              action: renderAction(trigger.action, templateScope(trigger, { scheduledFor })) as Record<
                string,
                unknown
              >,
            },
            200,
          );
        }
        // recent events read as the caller, so the test sees what the caller may see
        const config = trigger.config as EventConfig;
        const query = new URLSearchParams({ order: 'desc', limit: String(TEST_WINDOW) });
        for (const type of config.types) query.append('type', type);
        const answer = await deps.actAs.call({
          actorId: authOf(c).actor.id,
          workspaceId: scope.workspaceId,
          method: 'GET',
          path: `/api/events?${query}`,
        });
        const recent = ((answer.body as { items?: EventJson[] } | null)?.items ?? []) as EventJson[];
        const matches = recent
          .filter((event) => eventMatches(config, event, now))
          .map((event) => ({
            event: event as unknown as Record<string, unknown>,
            action: renderAction(trigger.action, templateScope(trigger, { event })) as Record<
              string,
              unknown
            >,
          }));
        return c.json(
          {
            matches,
            checked_events: recent.length,
            next_runs: [],
            action:
              matches[0]?.action ??
              (renderAction(trigger.action, templateScope(trigger, {})) as Record<string, unknown>),
          },
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_trigger_runs',
        description:
          'The firing history of a trigger, newest first: status (pending, running, succeeded, failed, skipped), why it was skipped or failed, the event or slot that fired it, the action as rendered, and the session it started or the result of the call.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}/runs',
        tags,
        summary: 'List the runs of a trigger',
        request: { params: triggerIdParam, query: listRunsQuery },
        responses: { 200: jsonResponse(pageOf(runSchema), 'A page of runs'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        const { status, limit, cursor } = c.req.valid('query');
        await findTrigger(db, workspaceId, id);
        const conditions = [eq(runs.workspaceId, workspaceId), eq(runs.triggerId, id)];
        if (status) conditions.push(eq(runs.status, status));
        if (cursor) {
          const { at, id: lastId } = decodeTimeIdCursor(cursor);
          conditions.push(afterTimeId('desc', { time: runs.createdAt, id: runs.id }, { at: at, id: lastId }));
        }
        const rows = await db
          .select()
          .from(runs)
          .where(and(...conditions))
          .orderBy(desc(runs.createdAt), desc(runs.id))
          .limit(limit + 1);
        return c.json(
          toPage(rows, limit, toRunJson, (row) => [row.createdAt.toISOString(), row.id]),
          200,
        );
      },
    }),
  ];
}
