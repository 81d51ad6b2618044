/**
 * Skills, the domain logic: plain inputs and a transaction, no HTTP. Routes (JSON and
 * upload) and materializeSkills are thin adapters over it.
 *
 * Versions are immutable. `save` with a name that exists adds the next version (and
 * moves `latest_version`) under a row lock on the skill, so two concurrent updates get
 * versions n+1 and n+2, never one number twice. Attachments either follow the latest
 * version (`pinned_version` null, the default: fixing a skill fixes every agent that
 * uses it) or pin one version (a reviewed skill does not change under a running agent).
 *
 * Writes are admin-only at the routes: a skill is instructions an agent follows with
 * its own key and role, so whoever edits an attached skill steers that agent. Every
 * mutation records its event last in its transaction; a no-op (attaching again with
 * the same pin) changes nothing and records nothing.
 */
import {
  conflict,
  type Db,
  decodeCursor,
  type ExtensionEvents,
  type ExtensionMembers,
  notFound,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import { parseSkillFrontMatter } from './front-matter.ts';
import { type SkillFile, type StoredSkillFile, skillFilesProblems, toStoredFile } from './skill-files.ts';
import {
  skillAttachmentsTable as attachments,
  type SkillAttachmentRow,
  type SkillRow,
  type SkillVersionRow,
  skillsTable as skills,
  skillVersionsTable as versions,
} from './tables.ts';

const { and, asc, desc, eq, gt, lt, sql } = orm;

export const SKILL_EVENT_TYPES = [
  'skill.created',
  'skill.updated',
  'skill.deleted',
  'skill.attached',
  'skill.detached',
] as const;
export type SkillEventType = (typeof SKILL_EVENT_TYPES)[number];

export interface SkillScope {
  workspaceId: string;
  actorId: string;
}

export interface SkillInput {
  /** The SKILL.md text, front matter first. */
  content: string;
  files: SkillFile[];
}

export interface SkillsDeps {
  events: ExtensionEvents<SkillEventType> | ExtensionEvents;
  members: ExtensionMembers;
}

const now = sql`date_trunc('milliseconds', now())`;

export function skillJson(row: SkillRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latest_version: row.latestVersion,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const fileSummary = (file: StoredSkillFile) => ({
  path: file.path,
  size: file.size,
  executable: file.executable,
});

/** A version without its content (lists, write responses). */
export function versionSummaryJson(row: SkillVersionRow) {
  return {
    skill_id: row.skillId,
    version: row.version,
    description: row.description,
    size_bytes: row.sizeBytes,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    files: row.files.map(fileSummary),
  };
}

/** A version with its SKILL.md text and each file's bytes (base64). */
export function versionJson(row: SkillVersionRow) {
  return {
    ...versionSummaryJson(row),
    content: row.content,
    files: row.files.map((file) => ({ ...fileSummary(file), content_base64: file.content_base64 })),
  };
}

export function attachmentJson(row: SkillAttachmentRow) {
  return {
    skill_id: row.skillId,
    actor_id: row.actorId,
    pinned_version: row.pinnedVersion,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

/** Parses and validates a skill's content and files: 400 naming every problem. */
function validated(input: SkillInput) {
  const front = parseSkillFrontMatter(input.content);
  const problems = [...(front.ok ? [] : front.problems), ...skillFilesProblems(input.content, input.files)];
  if (!front.ok || problems.length > 0) {
    throw validationError(
      `Invalid skill: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const files = input.files.map(toStoredFile);
  const sizeBytes =
    Buffer.byteLength(input.content, 'utf8') + input.files.reduce((sum, file) => sum + file.bytes.length, 0);
  return { ...front.value, content: input.content, files, sizeBytes };
}

type ValidSkill = ReturnType<typeof validated>;

export interface SkillListFilters {
  /** Only skills attached to this agent. */
  actorId?: string;
  limit: number;
  cursor?: string;
}

/** The exact versions an agent's session gets: pinned, or each skill's latest, in one query. */
export function attachedSkillVersions(db: Db, workspaceId: string, agentId: string) {
  return db
    .select({ name: skills.name, version: versions })
    .from(attachments)
    .innerJoin(
      skills,
      and(eq(skills.workspaceId, attachments.workspaceId), eq(skills.id, attachments.skillId)),
    )
    .innerJoin(
      versions,
      and(
        eq(versions.skillId, attachments.skillId),
        eq(versions.version, sql`coalesce(${attachments.pinnedVersion}, ${skills.latestVersion})`),
      ),
    )
    .where(and(eq(attachments.workspaceId, workspaceId), eq(attachments.actorId, agentId)))
    .orderBy(asc(skills.name));
}

export class SkillsService {
  constructor(private readonly deps: SkillsDeps) {}

  private async record(
    tx: Db,
    scope: SkillScope,
    type: SkillEventType,
    skillId: string,
    data: Record<string, unknown>,
  ) {
    await (this.deps.events as ExtensionEvents).record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type,
      entityType: 'skill',
      entityId: skillId,
      data,
    });
  }

  async find(db: Db, workspaceId: string, skillId: string, options: { lock?: boolean } = {}) {
    const query = db
      .select()
      .from(skills)
      .where(and(eq(skills.workspaceId, workspaceId), eq(skills.id, skillId)));
    const [row] = options.lock ? await query.for('update') : await query;
    if (!row) throw notFound(`Skill ${skillId} not found in this workspace`);
    return row;
  }

  /**
   * Creates a skill from its SKILL.md. With `upsert`, a skill of the same name gets a
   * new version instead (imports); without it, the name clash is a 409.
   */
  async save(tx: Db, scope: SkillScope, input: SkillInput, options: { upsert: boolean }) {
    const skill = validated(input);
    const [existing] = await tx
      .select()
      .from(skills)
      .where(and(eq(skills.workspaceId, scope.workspaceId), eq(skills.name, skill.name)))
      .for('update');
    if (existing) {
      if (!options.upsert) {
        throw conflict(
          `A skill named "${skill.name}" exists (${existing.id}): add a version with POST /api/sessions/skills/${existing.id}/versions`,
        );
      }
      return { created: false, ...(await this.appendVersion(tx, scope, existing, skill)) };
    }
    const [row] = await tx
      .insert(skills)
      .values({
        workspaceId: scope.workspaceId,
        name: skill.name,
        description: skill.description,
        latestVersion: 1,
        createdBy: scope.actorId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    // A concurrent create of the same name committed between our read and our insert.
    if (!row) throw conflict(`A skill named "${skill.name}" was created meanwhile: retry to add a version`);
    const version = await this.insertVersion(tx, scope, row.id, 1, skill);
    await this.record(tx, scope, 'skill.created', row.id, { name: row.name, version: 1 });
    return { created: true, skill: row, version };
  }

  /** A new version of an existing skill; its front matter must keep the skill's name. */
  async addVersion(tx: Db, scope: SkillScope, skillId: string, input: SkillInput) {
    const skill = validated(input);
    const existing = await this.find(tx, scope.workspaceId, skillId, { lock: true });
    if (skill.name !== existing.name) {
      throw validationError(
        `The front matter names "${skill.name}", but this skill is "${existing.name}": a skill keeps its name (create a new skill instead)`,
        [{ path: 'content.name', message: `must be "${existing.name}"` }],
      );
    }
    return this.appendVersion(tx, scope, existing, skill);
  }

  /** Called with the skill row locked (FOR UPDATE), so version numbers never collide. */
  private async appendVersion(tx: Db, scope: SkillScope, existing: SkillRow, skill: ValidSkill) {
    const next = existing.latestVersion + 1;
    const version = await this.insertVersion(tx, scope, existing.id, next, skill);
    const [row] = await tx
      .update(skills)
      .set({ latestVersion: next, description: skill.description, updatedAt: now })
      .where(and(eq(skills.workspaceId, scope.workspaceId), eq(skills.id, existing.id)))
      .returning();
    await this.record(tx, scope, 'skill.updated', existing.id, { name: existing.name, version: next });
    return { skill: row!, version };
  }

  private async insertVersion(
    tx: Db,
    scope: SkillScope,
    skillId: string,
    version: number,
    skill: ValidSkill,
  ) {
    const [row] = await tx
      .insert(versions)
      .values({
        workspaceId: scope.workspaceId,
        skillId,
        version,
        description: skill.description,
        content: skill.content,
        files: skill.files,
        sizeBytes: skill.sizeBytes,
        createdBy: scope.actorId,
        createdAt: now,
      })
      .returning();
    return row!;
  }

  /** Skills by name (a stable keyset: names are unique per workspace). */
  async list(db: Db, workspaceId: string, filters: SkillListFilters) {
    const conditions = [eq(skills.workspaceId, workspaceId)];
    if (filters.cursor) {
      const [name] = decodeCursor(filters.cursor, 1);
      conditions.push(gt(skills.name, String(name)));
    }
    if (filters.actorId !== undefined) {
      conditions.push(
        sql`exists (select 1 from ${attachments} where ${attachments.workspaceId} = ${workspaceId}
          and ${attachments.actorId} = ${filters.actorId} and ${attachments.skillId} = ${skills.id})`,
      );
    }
    const rows = await db
      .select()
      .from(skills)
      .where(and(...conditions))
      .orderBy(asc(skills.name))
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, skillJson, (row) => [row.name]);
  }

  async getVersion(db: Db, workspaceId: string, skillId: string, version?: number) {
    const skill = await this.find(db, workspaceId, skillId);
    const wanted = version ?? skill.latestVersion;
    const [row] = await db
      .select()
      .from(versions)
      .where(
        and(
          eq(versions.workspaceId, workspaceId),
          eq(versions.skillId, skillId),
          eq(versions.version, wanted),
        ),
      );
    if (!row) throw notFound(`Skill ${skill.name} has no version ${wanted} (latest: ${skill.latestVersion})`);
    return { skill, version: row };
  }

  /** Versions newest first, without their content. */
  async listVersions(db: Db, workspaceId: string, skillId: string, page: { limit: number; cursor?: string }) {
    await this.find(db, workspaceId, skillId);
    const conditions = [eq(versions.workspaceId, workspaceId), eq(versions.skillId, skillId)];
    if (page.cursor) {
      const [before] = decodeCursor(page.cursor, 1);
      if (typeof before !== 'number')
        throw validationError('Invalid cursor', [{ path: 'cursor', message: 'malformed' }]);
      conditions.push(lt(versions.version, before));
    }
    const rows = await db
      .select()
      .from(versions)
      .where(and(...conditions))
      .orderBy(desc(versions.version))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, versionSummaryJson, (row) => [row.version]);
  }

  async delete(tx: Db, scope: SkillScope, skillId: string) {
    const [row] = await tx
      .delete(skills)
      .where(and(eq(skills.workspaceId, scope.workspaceId), eq(skills.id, skillId)))
      .returning();
    if (!row) throw notFound(`Skill ${skillId} not found in this workspace`);
    await this.record(tx, scope, 'skill.deleted', row.id, { name: row.name });
  }

  /**
   * Attaches a skill to an agent of the workspace, following the latest version or
   * pinned to `version`. Attaching again with another pin moves the pin (an event);
   * with the same one it changes nothing (no event).
   */
  async attach(tx: Db, scope: SkillScope, skillId: string, agentId: string, pinnedVersion: number | null) {
    const skill = await this.find(tx, scope.workspaceId, skillId, { lock: true });
    await this.requireAgent(tx, scope.workspaceId, agentId);
    if (pinnedVersion !== null && (pinnedVersion < 1 || pinnedVersion > skill.latestVersion)) {
      throw validationError(`Skill ${skill.name} has versions 1-${skill.latestVersion}`, [
        {
          path: 'version',
          message: `must be between 1 and ${skill.latestVersion}, or null to follow the latest`,
        },
      ]);
    }
    const where = and(
      eq(attachments.workspaceId, scope.workspaceId),
      eq(attachments.actorId, agentId),
      eq(attachments.skillId, skillId),
    );
    const [current] = await tx.select().from(attachments).where(where).for('update');
    if (current && current.pinnedVersion === pinnedVersion) return { attachment: current, changed: false };
    const [row] = current
      ? await tx.update(attachments).set({ pinnedVersion }).where(where).returning()
      : await tx
          .insert(attachments)
          .values({
            workspaceId: scope.workspaceId,
            actorId: agentId,
            skillId,
            pinnedVersion,
            createdBy: scope.actorId,
            createdAt: now,
          })
          .returning();
    await this.record(tx, scope, 'skill.attached', skillId, {
      name: skill.name,
      agent_id: agentId,
      pinned_version: pinnedVersion,
    });
    return { attachment: row!, changed: true };
  }

  async detach(tx: Db, scope: SkillScope, skillId: string, agentId: string) {
    const skill = await this.find(tx, scope.workspaceId, skillId);
    const [row] = await tx
      .delete(attachments)
      .where(
        and(
          eq(attachments.workspaceId, scope.workspaceId),
          eq(attachments.actorId, agentId),
          eq(attachments.skillId, skillId),
        ),
      )
      .returning();
    if (!row) throw notFound(`Skill ${skill.name} is not attached to agent ${agentId}`);
    await this.record(tx, scope, 'skill.detached', skillId, { name: skill.name, agent_id: agentId });
  }

  /** The agents a skill is attached to, by actor id. */
  async listAttachments(
    db: Db,
    workspaceId: string,
    skillId: string,
    page: { limit: number; cursor?: string },
  ) {
    await this.find(db, workspaceId, skillId);
    const conditions = [eq(attachments.workspaceId, workspaceId), eq(attachments.skillId, skillId)];
    if (page.cursor) {
      const [after] = decodeCursor(page.cursor, 1);
      conditions.push(gt(attachments.actorId, String(after)));
    }
    const rows = await db
      .select()
      .from(attachments)
      .where(and(...conditions))
      .orderBy(asc(attachments.actorId))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, attachmentJson, (row) => [row.actorId]);
  }

  private async requireAgent(tx: Db, workspaceId: string, agentId: string) {
    const members = await this.deps.members.membersAmong(workspaceId, [agentId], tx);
    if (!members.has(agentId)) throw notFound(`Actor ${agentId} is not a member of this workspace`);
    const [actor] = await this.deps.members.getActors([agentId], { tx });
    if (actor?.type !== 'agent') {
      throw validationError(
        `Actor ${agentId} is a ${actor?.type ?? 'unknown'} actor: skills attach to agents`,
        [{ path: 'actor_id', message: 'must be an agent actor' }],
      );
    }
  }
}
