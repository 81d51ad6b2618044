/** Multipart uploads for the files and imports tests: from a buffer, or generated as a stream. */
import { join } from 'node:path';
import files from '../../core-extensions/files/index.ts';
import objects from '../../core-extensions/objects/index.ts';
import relationships from '../../core-extensions/relationships/index.ts';
import { installed } from '../helpers/extensions.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import type { Member } from '../helpers/work-graph.ts';

export const BOUNDARY = 'maskin-files-test-7f3a9c';
export const multipartType = `multipart/form-data; boundary=${BOUNDARY}`;

const root = join(import.meta.dirname, '../../core-extensions');
export const core = (definition: Parameters<typeof installed>[0], id: string) =>
  installed(definition, { tier: 'core', dir: join(root, id) });
export const filesStack = () => [
  core(objects, 'objects'),
  core(relationships, 'relationships'),
  core(files, 'files'),
];

export function partHead(filename: string, type = 'application/octet-stream'): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
}
export const closing = `\r\n--${BOUNDARY}--\r\n`;

export function multipartOf(filename: string, data: Buffer, type?: string): Buffer {
  return Buffer.concat([Buffer.from(partHead(filename, type)), data, Buffer.from(closing)]);
}

/** A multipart body whose file is produced chunk by chunk by `chunks` (never held whole). */
export function streamedMultipart(
  filename: string,
  chunks: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  type?: string,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* all() {
    yield encoder.encode(partHead(filename, type));
    for await (const chunk of chunks()) yield chunk;
    yield encoder.encode(closing);
  }
  const iterator = all();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

export async function upload(
  t: TestKernel,
  member: Member,
  path: string,
  body: Buffer | ReadableStream<Uint8Array>,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await t.kernel.app.request(path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${member.key}`,
      'x-workspace-id': member.workspaceId,
      'content-type': multipartType,
    },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

export async function download(
  t: TestKernel,
  member: Member,
  path: string,
  headers: Record<string, string> = {},
) {
  const response = await t.kernel.app.request(path, {
    headers: { authorization: `Bearer ${member.key}`, 'x-workspace-id': member.workspaceId, ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

export const importsStack = async () => {
  const { default: imports } = await import('../../core-extensions/imports/index.ts');
  return [...filesStack(), core(imports, 'imports')];
};
