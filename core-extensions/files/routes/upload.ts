/**
 * The upload route: multipart/form-data with one `file` part, streamed to the blob
 * store (see service.ts). A Content-Length that already says the body cannot fit
 * the workspace's limit is refused before a byte is read; otherwise the stream is
 * cut at the first byte past it. Either way the 413 closes the connection, so the
 * server stops reading instead of draining the rest.
 */
import {
  ApiError,
  callerScope,
  createRoute,
  defineRoute,
  errorResponses,
  jsonResponse,
  multipartBody,
  readMultipart,
  validationError,
} from '@maskin/contract';
import { multipartFileName } from '../disposition.ts';
import type { FilesService } from '../service.ts';
import { fileSchema, uploadQuery } from './schemas.ts';

/** Room for multipart framing (boundaries, part headers) on top of the file itself. */
export const MULTIPART_OVERHEAD = 16 * 1024;

const tags = ['Files'];

export function uploadRoute(files: FilesService, maxUploadBytes: number) {
  return defineRoute({
    access: { auth: 'workspace', role: 'member' },
    policy: { bodyLimit: maxUploadBytes + MULTIPART_OVERHEAD },
    route: createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Upload a file',
      description:
        "Streams one file (multipart part `file`) to storage. The content type is sniffed from the bytes; the SHA-256 is recorded. Over the workspace's max_file_bytes: 413 PAYLOAD_TOO_LARGE; over its quota: 413 FILES_QUOTA_EXCEEDED. `object_id` attaches the file to an object. Records file.uploaded.",
      request: {
        query: uploadQuery,
        body: multipartBody({ files: { file: { description: 'The file' } } }),
      },
      responses: { 201: jsonResponse(fileSchema, 'The stored file'), ...errorResponses },
    }),
    handler: async (c) => {
      const { workspaceId, actorId } = callerScope(c);
      const { limit } = await files.uploadAllowance(workspaceId);
      const declared = Number(c.req.header('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD) {
        throw new ApiError(
          413,
          'PAYLOAD_TOO_LARGE',
          `The upload declares ${declared} bytes; this workspace accepts files up to ${limit} bytes now (files settings max_file_bytes and quota_bytes)`,
          undefined,
          { Connection: 'close' },
        );
      }
      let stored: Awaited<ReturnType<FilesService['upload']>> | undefined;
      // Read to the end of the body (other parts are skipped), so the closing boundary is checked.
      for await (const part of readMultipart(c, { maxFiles: 1, maxFields: 10 })) {
        if (part.kind !== 'file' || part.name !== 'file') continue;
        stored = await files.upload({
          workspaceId,
          actorId,
          stream: part.stream,
          filename: multipartFileName(part.filename),
          declaredType: part.mimeType,
          objectId: c.req.valid('query').object_id,
        });
      }
      if (stored) return c.json(stored, 201);
      throw validationError('The upload has no file: send it as the multipart part named "file"', [
        { path: 'file', message: 'required' },
      ]);
    },
  });
}
