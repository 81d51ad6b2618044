/**
 * readMultipart(c): the parts of a multipart/form-data request, in order, as they
 * arrive, with each file as a stream. Nothing is buffered beyond what the handler has
 * not read yet: busboy parses the body stream, a file's bytes flow to the handler
 * with back-pressure, and the body stream itself is the route's limited one (see
 * kernel/http/body-limit.ts), so an upload over the route's limit fails the file
 * stream the handler is reading with 413 PAYLOAD_TOO_LARGE.
 *
 *   for await (const part of readMultipart(c)) {
 *     if (part.kind === 'file') await pipeline(part.stream, hash);
 *     else fields[part.name] = part.value;
 *   }
 *
 * Read (or skip) each file before asking for the next part: the parser waits for the
 * file in hand, and moving on drains an unread file. A malformed body is 400
 * VALIDATION_ERROR, a field longer than `maxFieldBytes` or more parts than allowed 413.
 */
import { PassThrough, Readable } from 'node:stream';
import busboy from 'busboy';
import type { Context } from 'hono';
import type { KernelEnv } from './context.ts';
import { ApiError, validationError } from './errors.ts';
import { bodyStream } from './request-body.ts';

export interface MultipartField {
  kind: 'field';
  name: string;
  value: string;
}

export interface MultipartFile {
  kind: 'file';
  /** The form field name. */
  name: string;
  /** The client's file name (may be empty; never trust it as a path). */
  filename: string;
  mimeType: string;
  /** The file's bytes as a Node stream; errors with 413 when the upload passes the route's limit. */
  stream: Readable;
  /** The same bytes as a web stream (read one or the other). */
  webStream(): ReadableStream<Uint8Array>;
}

export type MultipartPart = MultipartField | MultipartFile;

export interface MultipartOptions {
  /** Longest text field in bytes (default 64 KiB). */
  maxFieldBytes?: number;
  maxFiles?: number;
  maxFields?: number;
}

const tooMany = (what: string) => new ApiError(413, 'PAYLOAD_TOO_LARGE', `Too many ${what} in this upload`);

/** Busboy's own errors describe a malformed body; anything else (a 413) passes as it is. */
const asClientError = (error: unknown) =>
  error instanceof ApiError
    ? error
    : validationError(`Malformed multipart body: ${error instanceof Error ? error.message : String(error)}`);

export async function* readMultipart(
  c: Context<KernelEnv, any, any>,
  options: MultipartOptions = {},
): AsyncGenerator<MultipartPart, void, undefined> {
  const maxFieldBytes = options.maxFieldBytes ?? 64 * 1024;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': c.req.header('content-type') ?? '' },
      limits: { fieldSize: maxFieldBytes, files: options.maxFiles, fields: options.maxFields },
    });
  } catch (error) {
    throw asClientError(error);
  }
  const source = Readable.fromWeb(bodyStream(c) as never);
  const queue: MultipartPart[] = [];
  let failure: ApiError | undefined;
  let finished = false;
  let current: PassThrough | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown) => {
    if (failure) return;
    failure = asClientError(error);
    current?.destroy(failure);
    source.destroy();
    notify();
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) {
      fail(new ApiError(413, 'PAYLOAD_TOO_LARGE', `Field "${name}" is longer than ${maxFieldBytes} bytes`));
      return;
    }
    queue.push({ kind: 'field', name, value });
    notify();
  });
  parser.on('file', (name, stream, info) => {
    // The handler reads a stream only the kernel can fail, so a 413 from the body
    // reaches it as a 413 even when busboy fails its own stream first.
    const file = new PassThrough();
    stream.on('error', (error) => fail(error));
    stream.pipe(file);
    queue.push({
      kind: 'file',
      name,
      filename: info.filename ?? '',
      mimeType: info.mimeType,
      stream: file,
      webStream: () => Readable.toWeb(file) as ReadableStream<Uint8Array>,
    });
    notify();
  });
  parser.on('filesLimit', () => fail(tooMany('files')));
  parser.on('fieldsLimit', () => fail(tooMany('fields')));
  parser.on('error', fail);
  parser.on('close', () => {
    finished = true;
    notify();
  });
  source.on('error', fail);
  source.pipe(parser);

  try {
    for (;;) {
      if (failure) throw failure;
      const next = queue.shift();
      if (next) {
        // An unread file would hold the parser forever: drain it.
        if (current && !current.readableEnded) current.resume();
        current = next.kind === 'file' ? (next.stream as PassThrough) : undefined;
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished) source.destroy();
  }
}
