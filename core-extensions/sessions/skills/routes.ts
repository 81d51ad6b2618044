/**
 * Skills routes, mounted by the sessions extension under /api/sessions/skills: thin
 * adapters from HTTP (and MCP, via `tool`) to SkillsService. Reads need `viewer`;
 * every write is `admin` (a skill steers the agents it is attached to).
 *
 * The sessions extension must list these routes before its own `/{id}` routes: the
 * router tries routes in order, and `/skills` would otherwise reach `/{id}`.
 */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  multipartBody,
  pageOf,
  pageQuery,
  workspaceOf,
} from '@maskin/contract';
import {
  attachInputSchema,
  attachmentParam,
  attachmentSchema,
  listSkillsQuery,
  skillInputSchema,
  skillParam,
  skillSavedSchema,
  skillSchema,
  skillVersionParam,
  skillVersionSchema,
  skillVersionSummarySchema,
  skillWithVersionSchema,
} from './schemas.ts';
import {
  attachmentJson,
  type SkillInput,
  type SkillsDeps,
  SkillsService,
  skillJson,
  versionJson,
  versionSummaryJson,
} from './service.ts';
import { MAX_SKILL_TOTAL_BYTES } from './skill-files.ts';
import { readSkillUpload } from './upload.ts';

const tags = ['Skills'];
/** Base64 grows files by a third; room for the JSON around them. */
const JSON_BODY_LIMIT = Math.ceil(MAX_SKILL_TOTAL_BYTES * 1.4) + 64 * 1024;
const UPLOAD_BODY_LIMIT = MAX_SKILL_TOTAL_BYTES + 256 * 1024;

type JsonSkillInput = {
  content: string;
  files: { path: string; content: string; encoding: 'utf8' | 'base64'; executable: boolean }[];
};

const fromJson = (input: JsonSkillInput): SkillInput => ({
  content: input.content,
  files: input.files.map((file) => ({
    path: file.path,
    bytes: Buffer.from(file.content, file.encoding),
    executable: file.executable,
  })),
});

const saved = (result: Awaited<ReturnType<SkillsService['addVersion']>> & { created: boolean }) => ({
  ...skillJson(result.skill),
  version: versionSummaryJson(result.version),
  created: result.created,
});

export interface SkillRoutesDeps extends SkillsDeps {
  db: Db;
}

export function skillRoutes(deps: SkillRoutesDeps) {
  const { db } = deps;
  const skills = new SkillsService(deps);
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_skills',
        description:
          "Lists the workspace's skill library by name (SKILL.md instructions that agents get in .claude/skills/). Filter by actor_id to see the skills attached to one agent. Pages of up to 200: pass next_cursor back as cursor.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/skills',
        tags,
        summary: 'List skills',
        request: { query: listSkillsQuery },
        responses: { 200: jsonResponse(pageOf(skillSchema), 'A page of skills'), ...errorResponses },
      }),
      handler: async (c) => {
        const { actor_id, limit, cursor } = c.req.valid('query');
        return c.json(await skills.list(db, workspaceOf(c).id, { actorId: actor_id, limit, cursor }), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      policy: { bodyLimit: JSON_BODY_LIMIT },
      tool: {
        name: 'create_skill',
        description:
          'Creates a skill from SKILL.md text (front matter with name: and description:, then instructions) and optional extra files (path + content, utf8 or base64). The name must be new: to change a skill, use add_skill_version. Returns the skill with version 1.',
      },
      route: createRoute({
        method: 'post',
        path: '/skills',
        tags,
        summary: 'Create a skill from text',
        request: { body: jsonBody(skillInputSchema) },
        responses: { 201: jsonResponse(skillSavedSchema, 'The new skill'), ...errorResponses },
      }),
      handler: async (c) => {
        const input = fromJson(c.req.valid('json') as JsonSkillInput);
        const result = await db.transaction((tx) =>
          skills.save(tx, callerScope(c), input, { upsert: false }),
        );
        return c.json(saved(result), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      policy: { bodyLimit: UPLOAD_BODY_LIMIT },
      route: createRoute({
        method: 'post',
        path: '/skills/import',
        tags,
        summary: 'Import a skill from an upload',
        description:
          'multipart/form-data: the SKILL.md as the file part `skill`, each extra file as a file part named `files/<relative path>`, and an `executable` field per path to write with mode 0755. A skill of the same name gets a new version (`created: false`); otherwise one is created.',
        request: {
          body: multipartBody({
            files: {
              skill: { description: 'The SKILL.md' },
            },
            fields: {
              executable: { description: 'A path of an uploaded file to mark executable (repeatable)' },
            },
          }),
        },
        responses: {
          201: jsonResponse(skillSavedSchema, 'The skill and the version the upload created'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const input = await readSkillUpload(c);
        const result = await db.transaction((tx) => skills.save(tx, callerScope(c), input, { upsert: true }));
        return c.json(saved(result), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_skill',
        description:
          "Reads one skill with its latest version's SKILL.md text and extra files (base64). Use get_skill_version for an older version.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/skills/{skill_id}',
        tags,
        summary: 'Get a skill and its latest version',
        request: { params: skillParam },
        responses: { 200: jsonResponse(skillWithVersionSchema, 'The skill'), ...errorResponses },
      }),
      handler: async (c) => {
        const { skill, version } = await skills.getVersion(
          db,
          workspaceOf(c).id,
          c.req.valid('param').skill_id,
        );
        return c.json({ ...skillJson(skill), version: versionJson(version) }, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      tool: {
        name: 'delete_skill',
        description:
          'Deletes a skill with all its versions and detaches it from every agent. Sessions already running keep the files they were given.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/skills/{skill_id}',
        tags,
        summary: 'Delete a skill',
        request: { params: skillParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        await db.transaction((tx) => skills.delete(tx, callerScope(c), c.req.valid('param').skill_id));
        return c.body(null, 204);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_skill_versions',
        description:
          "Lists a skill's versions, newest first, without their content (sizes and file names only).",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/skills/{skill_id}/versions',
        tags,
        summary: "List a skill's versions",
        request: { params: skillParam, query: pageQuery },
        responses: {
          200: jsonResponse(pageOf(skillVersionSummarySchema), 'A page of versions'),
          ...errorResponses,
        },
      }),
      handler: async (c) =>
        c.json(
          await skills.listVersions(
            db,
            workspaceOf(c).id,
            c.req.valid('param').skill_id,
            c.req.valid('query'),
          ),
          200,
        ),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      policy: { bodyLimit: JSON_BODY_LIMIT },
      tool: {
        name: 'add_skill_version',
        description:
          'Adds the next version of a skill from new SKILL.md text and files (the whole skill, not a diff). The front matter name must stay the same. Agents attached without a pinned version get it in their next session.',
      },
      route: createRoute({
        method: 'post',
        path: '/skills/{skill_id}/versions',
        tags,
        summary: 'Add a version to a skill',
        request: { params: skillParam, body: jsonBody(skillInputSchema) },
        responses: {
          201: jsonResponse(skillSavedSchema, 'The skill and its new version'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const input = fromJson(c.req.valid('json') as JsonSkillInput);
        const result = await db.transaction((tx) =>
          skills.addVersion(tx, callerScope(c), c.req.valid('param').skill_id, input),
        );
        return c.json(saved({ ...result, created: false }), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_skill_version',
        description: 'Reads one version of a skill: its SKILL.md text and extra files (base64).',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/skills/{skill_id}/versions/{version}',
        tags,
        summary: 'Get one version of a skill',
        request: { params: skillVersionParam },
        responses: { 200: jsonResponse(skillVersionSchema, 'The version'), ...errorResponses },
      }),
      handler: async (c) => {
        const { skill_id, version } = c.req.valid('param');
        const found = await skills.getVersion(db, workspaceOf(c).id, skill_id, version);
        return c.json(versionJson(found.version), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_skill_attachments',
        description:
          'Lists the agents a skill is attached to, with the version each one pins (null: the latest).',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/skills/{skill_id}/attachments',
        tags,
        summary: 'List the agents a skill is attached to',
        request: { params: skillParam, query: pageQuery },
        responses: {
          200: jsonResponse(pageOf(attachmentSchema), 'A page of attachments'),
          ...errorResponses,
        },
      }),
      handler: async (c) =>
        c.json(
          await skills.listAttachments(
            db,
            workspaceOf(c).id,
            c.req.valid('param').skill_id,
            c.req.valid('query'),
          ),
          200,
        ),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      tool: {
        name: 'attach_skill',
        description:
          "Attaches a skill to an agent of the workspace, so the agent's sessions find it in .claude/skills/<name>/. version pins one version; null (default) follows the latest. Attaching again changes the pin.",
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'put',
        path: '/skills/{skill_id}/attachments/{actor_id}',
        tags,
        summary: 'Attach a skill to an agent',
        request: { params: attachmentParam, body: jsonBody(attachInputSchema) },
        responses: { 200: jsonResponse(attachmentSchema, 'The attachment'), ...errorResponses },
      }),
      handler: async (c) => {
        const { skill_id, actor_id } = c.req.valid('param');
        const { version } = c.req.valid('json');
        const { attachment } = await db.transaction((tx) =>
          skills.attach(tx, callerScope(c), skill_id, actor_id, version),
        );
        return c.json(attachmentJson(attachment), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      tool: {
        name: 'detach_skill',
        description: "Detaches a skill from an agent; the agent's next sessions no longer get it.",
        annotations: { destructiveHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/skills/{skill_id}/attachments/{actor_id}',
        tags,
        summary: 'Detach a skill from an agent',
        request: { params: attachmentParam },
        responses: { 204: { description: 'Detached' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { skill_id, actor_id } = c.req.valid('param');
        await db.transaction((tx) => skills.detach(tx, callerScope(c), skill_id, actor_id));
        return c.body(null, 204);
      },
    }),
  ];
}
