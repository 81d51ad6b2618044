/**
 * Skills, a part of the sessions extension: a workspace library of SKILL.md files
 * (plus optional files), versioned, attached to agents, and written into each
 * session's working directory where Claude Code expects them.
 *
 * What the sessions extension wires in (its index.ts):
 * - `skillRoutes({ db, events, members })` in its routes, before its `/{id}` routes;
 * - `SKILL_EVENT_TYPES` in its manifest's `events`;
 * - `materializeSkills(db, workspaceId, agentId, workingDir)` when a session's
 *   working directory is prepared (before the runtime starts);
 * - its migrations folder holds 0002_skills.sql.
 */
export { CLAUDE_SKILLS_DIR, type MaterializedSkill, materializeSkills } from './materialize.ts';
export { type SkillRoutesDeps, skillRoutes } from './routes.ts';
export { SKILL_EVENT_TYPES, type SkillEventType } from './service.ts';
