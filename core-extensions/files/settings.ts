/**
 * Per-workspace settings of `files` (the size of one file, the bytes a workspace may
 * keep) and the installation's ceiling for any upload (MASKIN_EXT_FILES_MAX_UPLOAD_BYTES,
 * the body limit of the upload routes: a workspace setting above it has no effect).
 */
import { z } from '@maskin/contract';

const MiB = 1024 * 1024;

export const settingsSchema = z.object({
  max_file_bytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * MiB)
    .default(100 * MiB)
    .openapi({ description: 'Largest file a member may upload, in bytes (default 100 MiB)' }),
  quota_bytes: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .default(10 * 1024 * MiB)
    .openapi({ description: 'Total bytes of files the workspace may keep (default 10 GiB)' }),
});
export type FilesSettings = z.output<typeof settingsSchema>;

export const configSchema = z.object({
  max_upload_bytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * MiB),
});
export type FilesConfig = z.output<typeof configSchema>;

export const errors = {
  FILES_QUOTA_EXCEEDED: {
    status: 413,
    description: "The upload would take the workspace's files past its quota_bytes setting",
  },
  FILES_RANGE_NOT_SATISFIABLE: {
    status: 416,
    description: 'The Range starts past the end of the file (Content-Range gives its size)',
  },
} as const;
