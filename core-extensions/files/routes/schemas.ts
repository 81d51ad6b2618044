/** Request and response schemas of the files routes (components prefixed `Files`). */
import { z } from '@maskin/contract';

export const fileSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().openapi({ description: "The client's file name, reduced to a safe base name" }),
    content_type: z
      .string()
      .openapi({ description: 'Sniffed from the first bytes (never taken from the client)' }),
    declared_type: z
      .string()
      .nullable()
      .openapi({ description: 'The type the client declared, for reference' }),
    size: z.number().int().openapi({ description: 'Bytes' }),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the bytes; also the download ETag' }),
    object_id: z.string().uuid().nullable().openapi({ description: 'The object the file is attached to' }),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('FilesFile');

export const usageSchema = z
  .object({
    used_bytes: z.number().int(),
    quota_bytes: z.number().int(),
    available_bytes: z.number().int().openapi({ description: 'The quota left' }),
    max_file_bytes: z
      .number()
      .int()
      .openapi({ description: 'The largest file accepted (setting max_file_bytes)' }),
  })
  .openapi('FilesUsage');

export const fileIdParam = z.object({ id: z.string().uuid() });

export const uploadQuery = z.object({
  object_id: z.string().uuid().optional().openapi({ description: 'Attach the file to this object' }),
});

export const listFilesQuery = z.object({
  object_id: z.string().uuid().optional().openapi({ description: 'Only files attached to this object' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1-200' }),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor from the previous page' }),
});

export const downloadQuery = z.object({
  disposition: z
    .enum(['attachment', 'inline'])
    .default('attachment')
    .openapi({ description: 'inline asks the browser to show it; HTML, SVG and XML are always attachments' }),
});

export const downloadHeaders = z.object({
  range: z.string().max(200).optional().openapi({ description: 'One byte range, e.g. bytes=0-1023' }),
  'if-range': z.string().max(200).optional(),
  'if-none-match': z.string().max(1000).optional(),
});
