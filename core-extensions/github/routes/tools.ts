/**
 * Tools that act on GitHub with the workspace's connection: open an issue, comment
 * on an issue or pull request. Each is a route and an MCP tool; the token never
 * leaves the server. The call to GitHub is made first; its result is recorded as a
 * `github.api.*` event (the mutation here is GitHub's, the event is our record of it).
 */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  type ExtensionErrors,
  type ExtensionEvents,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  z,
} from '@maskin/contract';
import type { IntegrationsService } from '../../integrations/api.ts';

export const errors = {
  GITHUB_NOT_CONNECTED: { status: 409, description: 'The workspace has no GitHub connection' },
  GITHUB_API_ERROR: { status: 502, description: 'GitHub refused or failed the call' },
} as const satisfies ExtensionErrors;

const repository = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'owner/name')
  .openapi({ description: 'owner/name, e.g. acme/app' });

const createIssueSchema = z
  .object({ repository, title: z.string().min(1).max(256), body: z.string().max(65_536).optional() })
  .openapi('GithubCreateIssue');
const commentSchema = z
  .object({ repository, number: z.number().int().positive(), body: z.string().min(1).max(65_536) })
  .openapi('GithubComment');
const resultSchema = z
  .object({ number: z.number().int().nullable(), url: z.string().nullable() })
  .openapi('GithubResult');

export function toolRoutes(deps: {
  db: Db;
  events: ExtensionEvents;
  integrations: IntegrationsService;
  apiUrl: string;
}) {
  async function callGitHub(workspaceId: string, path: string, body: unknown) {
    const connection = await deps.integrations.connectionOf(workspaceId, 'github');
    const token = connection && (await deps.integrations.freshAccessToken(workspaceId, connection.id));
    if (!connection || !token)
      throw extensionError(
        { errors },
        'GITHUB_NOT_CONNECTED',
        'Connect GitHub first: POST /api/integrations/github/connect',
      );
    let response: Response;
    try {
      response = await fetch(`${deps.apiUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github+json',
          'content-type': 'application/json',
          'user-agent': 'maskin',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw extensionError({ errors }, 'GITHUB_API_ERROR', 'GitHub did not answer');
    }
    if (!response.ok)
      throw extensionError({ errors }, 'GITHUB_API_ERROR', `GitHub answered HTTP ${response.status}`);
    const answer = (await response.json().catch(() => ({}))) as { number?: number; html_url?: string };
    return { connection, number: answer.number ?? null, url: answer.html_url ?? null };
  }

  const record = (
    scope: { workspaceId: string; actorId: string },
    type: string,
    entityId: string,
    data: Record<string, unknown>,
  ) =>
    deps.db.transaction((tx) =>
      deps.events.record(tx, {
        workspaceId: scope.workspaceId,
        actorId: scope.actorId,
        type,
        entityType: 'github_issue',
        entityId,
        data,
      }),
    );

  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'github_create_issue',
        description:
          "Opens an issue in a GitHub repository with the workspace's GitHub connection. Give repository as owner/name, a title and an optional markdown body; returns the issue number and URL.",
        annotations: { openWorldHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/issues',
        tags: ['GitHub'],
        summary: 'Open a GitHub issue',
        request: { body: jsonBody(createIssueSchema) },
        responses: { 201: jsonResponse(resultSchema, 'Opened'), ...errorResponses },
      }),
      handler: async (c) => {
        const input = c.req.valid('json');
        const scope = callerScope(c);
        const result = await callGitHub(scope.workspaceId, `/repos/${input.repository}/issues`, {
          title: input.title,
          body: input.body,
        });
        await record(scope, 'github.api.issue_created', `${input.repository}#${result.number}`, {
          repository: input.repository,
          number: result.number,
          url: result.url,
          integration_id: result.connection.id,
        });
        return c.json({ number: result.number, url: result.url }, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'github_comment',
        description:
          "Comments on a GitHub issue or pull request with the workspace's GitHub connection. Give repository as owner/name, the issue or PR number and a markdown body; returns the comment URL.",
        annotations: { openWorldHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/comments',
        tags: ['GitHub'],
        summary: 'Comment on a GitHub issue or pull request',
        request: { body: jsonBody(commentSchema) },
        responses: { 201: jsonResponse(resultSchema, 'Commented'), ...errorResponses },
      }),
      handler: async (c) => {
        const input = c.req.valid('json');
        const scope = callerScope(c);
        const result = await callGitHub(
          scope.workspaceId,
          `/repos/${input.repository}/issues/${input.number}/comments`,
          { body: input.body },
        );
        await record(scope, 'github.api.comment_created', `${input.repository}#${input.number}`, {
          repository: input.repository,
          number: input.number,
          url: result.url,
          integration_id: result.connection.id,
        });
        return c.json({ number: input.number, url: result.url }, 201);
      },
    }),
  ];
}
