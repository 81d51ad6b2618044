/**
 * Hand-written MCP tools for agents: `ask_human` (a needs_input notification shaped
 * as a question, carrying the agent's session so the answer resumes it) and
 * `get_notification_answer` (just the answer of a question it asked). Both are thin
 * calls of the HTTP routes, so the rules live in the routes.
 */
import type { ToolDefinition } from '@maskin/contract';
import { z } from '@maskin/contract';
import { INPUT_TYPES } from './ask.ts';

const failure = (result: { status: number; body: unknown }) =>
  result.status >= 400 ? { error: result.body, status: result.status } : undefined;

export const notificationTools: ToolDefinition[] = [
  {
    name: 'ask_human',
    description:
      'Asks a human member of the workspace (target_actor_id) a question and returns the notification. input_type: confirmation (yes/no), single or multiple (give options as [{value,label}]), or text. Pass your session_id (if you run in a session) so that the answer resumes it; otherwise the answer starts a new session. Poll get_notification_answer to read the answer.',
    inputSchema: z.object({
      target_actor_id: z.string().uuid(),
      question: z.string().min(1).max(500),
      details: z.string().max(50_000).optional(),
      input_type: z.enum(INPUT_TYPES),
      options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
      object_id: z.string().uuid().optional(),
      session_id: z.string().uuid().optional(),
    }),
    access: { auth: 'workspace', role: 'member' },
    async handler(args, context) {
      const result = await context.callApi('POST', '/api/notifications', {
        type: 'needs_input',
        target_actor_id: args.target_actor_id,
        title: args.question,
        content: args.details,
        object_id: args.object_id,
        metadata: {
          input_type: args.input_type,
          ...(args.options ? { options: args.options } : {}),
          ...(args.session_id ? { session_id: args.session_id } : {}),
        },
      });
      return failure(result) ?? result.body;
    },
  },
  {
    name: 'get_notification_answer',
    description:
      'Reads the answer to a notification you sent (e.g. with ask_human): answered (true/false), status, answer ({action?, value?, comment?}), answered_by and answered_at.',
    inputSchema: z.object({ notification_id: z.string().uuid() }),
    access: { auth: 'workspace', role: 'viewer' },
    annotations: { readOnlyHint: true },
    async handler(args, context) {
      const result = await context.callApi('GET', `/api/notifications/${args.notification_id}`);
      const error = failure(result);
      if (error) return error;
      const body = result.body as Record<string, unknown>;
      return {
        notification_id: body.id,
        answered: body.answer !== null,
        status: body.status,
        answer: body.answer,
        answered_by: body.answered_by,
        answered_at: body.answered_at,
      };
    },
  },
];
