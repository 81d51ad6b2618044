/**
 * A skill's extra files (scripts, references, templates) beside its SKILL.md. They
 * are written into a session's working directory, so their paths are checked here,
 * once, for every way in (JSON and upload), and checked again by the writer: a path
 * is relative, made of plain segments (letters, digits, `.`, `_`, `-`; no `.` or `..`
 * segment, no backslash, no NUL), and never SKILL.md itself. Bytes are kept exactly
 * (stored base64), so a binary file comes back byte for byte.
 */
import type { ErrorDetail } from '@maskin/contract';

export const MAX_SKILL_MD_BYTES = 256 * 1024;
export const MAX_SKILL_FILES = 50;
export const MAX_SKILL_FILE_BYTES = 1024 * 1024;
export const MAX_SKILL_TOTAL_BYTES = 4 * 1024 * 1024;
const MAX_PATH = 200;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export interface SkillFile {
  path: string;
  /** The exact bytes. */
  bytes: Buffer;
  executable: boolean;
}

/** The stored (jsonb) form of a file. */
export interface StoredSkillFile {
  path: string;
  content_base64: string;
  executable: boolean;
  size: number;
}

export function skillFilePathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PATH) return `must be 1-${MAX_PATH} characters`;
  const segments = path.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..')) {
    return 'must be a relative path of plain segments (letters, digits, ".", "_", "-"; no "..", no leading "/")';
  }
  if (path.toLowerCase() === 'skill.md') return 'SKILL.md is the skill itself: send it as content';
  return undefined;
}

/** Every problem of a set of files, with paths like `files[2].path`. */
export function skillFilesProblems(
  skillMd: string,
  files: readonly SkillFile[],
  field = 'files',
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const mdBytes = Buffer.byteLength(skillMd, 'utf8');
  if (mdBytes > MAX_SKILL_MD_BYTES) {
    problems.push({
      path: 'content',
      message: `SKILL.md is ${mdBytes} bytes; at most ${MAX_SKILL_MD_BYTES}`,
    });
  }
  if (files.length > MAX_SKILL_FILES) {
    problems.push({ path: field, message: `${files.length} files; at most ${MAX_SKILL_FILES}` });
  }
  const seen = new Set<string>();
  let total = mdBytes;
  files.forEach((file, index) => {
    const problem = skillFilePathProblem(file.path);
    if (problem) problems.push({ path: `${field}[${index}].path`, message: problem });
    const key = file.path.toLowerCase();
    if (seen.has(key))
      problems.push({ path: `${field}[${index}].path`, message: `"${file.path}" appears twice` });
    seen.add(key);
    // A file and a folder of one name cannot both exist on disk.
    for (const other of seen) {
      if (other !== key && (other.startsWith(`${key}/`) || key.startsWith(`${other}/`))) {
        problems.push({
          path: `${field}[${index}].path`,
          message: `"${file.path}" is both a file and a folder`,
        });
        break;
      }
    }
    if (file.bytes.length > MAX_SKILL_FILE_BYTES) {
      problems.push({
        path: `${field}[${index}].content`,
        message: `${file.bytes.length} bytes; at most ${MAX_SKILL_FILE_BYTES}`,
      });
    }
    total += file.bytes.length;
  });
  if (total > MAX_SKILL_TOTAL_BYTES) {
    problems.push({
      path: field,
      message: `the skill is ${total} bytes in all; at most ${MAX_SKILL_TOTAL_BYTES}`,
    });
  }
  return problems;
}

export const toStoredFile = (file: SkillFile): StoredSkillFile => ({
  path: file.path,
  content_base64: file.bytes.toString('base64'),
  executable: file.executable,
  size: file.bytes.length,
});

export const fromStoredFile = (file: StoredSkillFile): SkillFile => ({
  path: file.path,
  bytes: Buffer.from(file.content_base64, 'base64'),
  executable: file.executable,
});
