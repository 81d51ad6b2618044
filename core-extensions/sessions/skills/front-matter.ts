/**
 * SKILL.md front matter: the YAML block between the first two `---` lines, which
 * Claude Code reads to decide when a skill applies. We parse the small subset skills
 * use (top-level `key: value`, quoted values, `|` / `>` block scalars, and indented
 * continuation lines for lists such as `allowed-tools`), not full YAML: a parser that
 * guesses at anchors or tags would accept files Claude Code reads differently.
 *
 * Rules (Claude Code's own, so a skill we accept is one it loads):
 * - `name`: required, lowercase letters, digits and single hyphens, at most 64
 *   characters. It is the skill's identity in the workspace and its folder name in
 *   `.claude/skills/<name>/`, so it must also be a safe path segment (it is).
 * - `description`: required, non-empty, at most 1024 characters.
 * Other keys are kept in the file untouched and not interpreted.
 */
import type { ErrorDetail } from '@maskin/contract';

export const SKILL_NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_SKILL_NAME = 64;
export const MAX_SKILL_DESCRIPTION = 1024;

export interface SkillFrontMatter {
  name: string;
  description: string;
}

export type FrontMatterResult =
  | { ok: true; value: SkillFrontMatter }
  | { ok: false; problems: ErrorDetail[] };

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return value.slice(1, -1).replace(/''/g, "'");
  }
  return value;
}

/** The top-level keys of a front matter block; block scalars are folded (`>`) or kept (`|`). */
function parseBlock(lines: string[]): Map<string, string> {
  const values = new Map<string, string>();
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    index += 1;
    const match = /^([A-Za-z0-9_-]+):(?:\s+(.*)|\s*)$/.exec(line);
    if (!match) continue; // comments, blank lines, continuation lines of a key we skip
    const key = match[1]!;
    const inline = (match[2] ?? '').replace(/\s+#.*$/, '');
    const continuation: string[] = [];
    while (index < lines.length && (/^\s+\S/.test(lines[index]!) || lines[index]!.trim() === '')) {
      continuation.push(lines[index]!.trim());
      index += 1;
    }
    while (continuation.length > 0 && continuation[continuation.length - 1] === '') continuation.pop();
    if (/^[|>][+-]?$/.test(inline.trim())) {
      values.set(key, continuation.join(inline.trim().startsWith('|') ? '\n' : ' ').trim());
    } else if (inline.trim() === '') {
      values.set(key, continuation.join(' ').trim());
    } else {
      values.set(key, unquote([inline, ...continuation].join(' ')));
    }
  }
  return values;
}

/** Reads and validates the front matter of a SKILL.md text. */
export function parseSkillFrontMatter(content: string): FrontMatterResult {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') {
    return {
      ok: false,
      problems: [
        {
          path: 'content',
          message:
            'SKILL.md must start with a front matter block: a line "---", name: and description:, then "---"',
        },
      ],
    };
  }
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (end < 0) {
    return {
      ok: false,
      problems: [{ path: 'content', message: 'the front matter block has no closing "---" line' }],
    };
  }
  const values = parseBlock(lines.slice(1, end));
  const problems: ErrorDetail[] = [];
  const name = values.get('name') ?? '';
  const description = values.get('description') ?? '';
  if (!name) problems.push({ path: 'content.name', message: 'front matter needs name:' });
  else if (name.length > MAX_SKILL_NAME || !SKILL_NAME_PATTERN.test(name)) {
    problems.push({
      path: 'content.name',
      message: `"${name.slice(0, 80)}" is not a skill name: lowercase letters, digits and single hyphens, at most ${MAX_SKILL_NAME} characters`,
    });
  }
  if (!description)
    problems.push({ path: 'content.description', message: 'front matter needs description:' });
  else if (description.length > MAX_SKILL_DESCRIPTION) {
    problems.push({
      path: 'content.description',
      message: `is ${description.length} characters; at most ${MAX_SKILL_DESCRIPTION}`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { name, description } };
}
