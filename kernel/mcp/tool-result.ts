/**
 * What a tool call returns. A JSON object answer comes back twice, as
 * `structuredContent` (for clients that read data) and as its JSON text (for clients
 * and models that read only text); other answers as text alone, since
 * `structuredContent` must be an object. A failure is `isError: true` with the
 * kernel's error envelope as text: the same code, message and details an HTTP client
 * gets, so a model can act on `VALIDATION_ERROR` details or a `FORBIDDEN` message.
 *
 * A large answer (over STRUCTURED_COPY_MAX_BYTES of JSON) is sent once, as text only:
 * sending it twice doubled a 23 MB answer (issue 10, finding 3). Text is the copy every
 * client reads, and a client that wants data parses it.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiError, type ErrorEnvelope } from '../contract/errors.ts';
import { responseContentType, responseText } from './response-text.ts';

export const STRUCTURED_COPY_MAX_BYTES = 64 * 1024;

/**
 * The JSON text of a result's structuredContent, when it is already at hand (the
 * route's own answer): the direct call path (direct-tool-call.ts) writes it into the
 * JSON-RPC answer as it is instead of serialising the object once more.
 */
const structuredJson = new WeakMap<CallToolResult, string>();

export function structuredJsonOf(result: CallToolResult): string | undefined {
  return structuredJson.get(result);
}

/** `json`, when given, is the JSON text `value` was parsed from; it is sent as it is. */
export function valueResult(value: unknown, json?: string): CallToolResult {
  if (value === undefined || value === null) return { content: [{ type: 'text', text: 'Done.' }] };
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  const text = json ?? JSON.stringify(value);
  if (typeof value === 'object' && !Array.isArray(value) && text.length <= STRUCTURED_COPY_MAX_BYTES) {
    const result: CallToolResult = {
      content: [{ type: 'text', text }],
      structuredContent: value as Record<string, unknown>,
    };
    if (json !== undefined) structuredJson.set(result, json);
    return result;
  }
  return { content: [{ type: 'text', text }] };
}

/**
 * A JSON-RPC error to throw from a request handler. Not the SDK's McpError: its
 * message already starts with "MCP error <code>: ", the SDK sends that message as it
 * is, and every client prefixes it again, so one hop through the stdio proxy printed
 * the prefix three times. The code travels in the error's `code` field anyway.
 */
export function protocolError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(stripMcpPrefix(message)), { code, ...(data !== undefined && { data }) });
}

/** "MCP error -32602: MCP error -32602: Unknown tool" -> "Unknown tool". */
export function stripMcpPrefix(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}

export function errorResult(error: ApiError | ErrorEnvelope): CallToolResult {
  const envelope = error instanceof ApiError ? error.toEnvelope() : error;
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(envelope) }] };
}

/** The result of a tool that ran as an HTTP request. */
export async function responseResult(response: Response): Promise<CallToolResult> {
  const text = await responseText(response);
  const isJson = /\bjson\b/i.test(responseContentType(response) ?? '');
  let body: unknown = text;
  let json: string | undefined;
  if (isJson && text) {
    try {
      body = JSON.parse(text);
      json = text;
    } catch {
      // keep the text
    }
  }
  if (response.status >= 400) {
    if (isErrorEnvelope(body)) return errorResult(body);
    // Every kernel route answers errors with the envelope; anything else is wrapped in one.
    return errorResult(
      new ApiError(500, 'INTERNAL', `HTTP ${response.status}: ${String(text).slice(0, 500)}`),
    );
  }
  if (response.status === 204 || text === '') {
    return { content: [{ type: 'text', text: `Done (HTTP ${response.status}, no content).` }] };
  }
  // Parsed once to check it and to pick the copies; the route's text is sent as it is.
  return valueResult(body, json);
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  const error = (value as { error?: { code?: unknown } } | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string';
}
