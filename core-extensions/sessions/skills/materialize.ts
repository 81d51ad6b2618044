/**
 * Writes an agent's attached skills into a session's working directory where Claude
 * Code looks for project skills: `.claude/skills/<name>/SKILL.md` and each extra file
 * under `.claude/skills/<name>/`, byte for byte (scripts marked executable are 0755,
 * everything else 0644). Paths were validated when the skill was saved; they are
 * checked again here, because this is the code that touches the disk.
 *
 * The versions are read in one query (pinned, or each skill's latest at that moment),
 * so a skill updated while a session starts gives that session either the old or the
 * new version of it, never a mix.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Db } from '@maskin/contract';
import { SKILL_NAME_PATTERN } from './front-matter.ts';
import { attachedSkillVersions } from './service.ts';
import { fromStoredFile, skillFilePathProblem } from './skill-files.ts';

export interface MaterializedSkill {
  name: string;
  version: number;
  /** Paths written, relative to the working directory. */
  files: string[];
}

/** Where Claude Code reads project skills from, relative to the working directory. */
export const CLAUDE_SKILLS_DIR = join('.claude', 'skills');

export async function materializeSkills(
  db: Db,
  workspaceId: string,
  actorId: string,
  workingDir: string,
): Promise<MaterializedSkill[]> {
  const attached = await attachedSkillVersions(db, workspaceId, actorId);
  const root = resolve(workingDir, CLAUDE_SKILLS_DIR);
  const written: MaterializedSkill[] = [];
  for (const { name, version } of attached) {
    if (!SKILL_NAME_PATTERN.test(name)) throw new Error(`Refusing to write skill with unsafe name "${name}"`);
    const folder = join(root, name);
    await mkdir(folder, { recursive: true, mode: 0o755 });
    const files = [join(CLAUDE_SKILLS_DIR, name, 'SKILL.md')];
    await writeFile(join(folder, 'SKILL.md'), version.content, { mode: 0o644 });
    for (const stored of version.files) {
      const file = fromStoredFile(stored);
      const target = resolve(folder, file.path);
      if (skillFilePathProblem(file.path) || !target.startsWith(folder + sep)) {
        throw new Error(`Refusing to write skill file "${file.path}" of ${name} outside its folder`);
      }
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const mode = file.executable ? 0o755 : 0o644;
      await writeFile(target, file.bytes, { mode });
      await chmod(target, mode); // the umask may have narrowed it
      files.push(join(CLAUDE_SKILLS_DIR, name, file.path));
    }
    written.push({ name, version: version.version, files });
  }
  return written;
}
