/**
 * Importing a skill from a multipart upload: a file part named `skill` (the SKILL.md)
 * and, for each extra file, a file part named `files/<relative path>` (the part name
 * carries the path because clients and busboy drop directories from file names).
 * Text fields named `executable` list paths to write with mode 0755. Each file is
 * read with a running count and refused with 413 as soon as it passes the limit.
 */

import type { Readable } from 'node:stream';
import { ApiError, type KernelContext, readMultipart, validationError } from '@maskin/contract';
import type { SkillInput } from './service.ts';
import { MAX_SKILL_FILE_BYTES, MAX_SKILL_MD_BYTES, type SkillFile } from './skill-files.ts';

const FILE_PREFIX = 'files/';

async function readLimited(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `${what} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readSkillUpload(c: KernelContext): Promise<SkillInput> {
  let content: string | undefined;
  const files: SkillFile[] = [];
  const executable = new Set<string>();
  for await (const part of readMultipart(c, { maxFiles: 60, maxFields: 100 })) {
    if (part.kind === 'field') {
      if (part.name === 'executable') executable.add(part.value);
      else
        throw validationError(`Unknown field "${part.name}"`, [
          { path: part.name, message: 'unknown field' },
        ]);
      continue;
    }
    if (part.name === 'skill') {
      if (content !== undefined)
        throw validationError('Send one SKILL.md', [{ path: 'skill', message: 'repeated' }]);
      content = (await readLimited(part.stream, MAX_SKILL_MD_BYTES, 'SKILL.md')).toString('utf8');
    } else if (part.name.startsWith(FILE_PREFIX)) {
      const path = part.name.slice(FILE_PREFIX.length);
      files.push({
        path,
        bytes: await readLimited(part.stream, MAX_SKILL_FILE_BYTES, path),
        executable: false,
      });
    } else {
      throw validationError(`Unknown file part "${part.name}": use "skill" or "files/<path>"`, [
        { path: part.name, message: 'unknown file part' },
      ]);
    }
  }
  if (content === undefined) {
    throw validationError('The upload has no SKILL.md: send it as the file part "skill"', [
      { path: 'skill', message: 'required' },
    ]);
  }
  for (const path of executable) {
    const file = files.find((candidate) => candidate.path === path);
    if (!file)
      throw validationError(`executable names "${path}", which is not uploaded`, [
        { path: 'executable', message: 'no such file' },
      ]);
    file.executable = true;
  }
  return { content, files };
}
