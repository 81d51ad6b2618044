/**
 * A plain `tools/call`, answered without building an SDK server for it.
 *
 * A working agent sends one kind of message over and over: tools/call. Through the
 * SDK each one paid for a Server and a transport, zod parses of the message (several
 * times over) and of the result, a schema check of the answer (one more pass over
 * the payload) and, on close, an Error with its stack: more than the rest of the MCP
 * layer together (docs/performance.md, MCP). Here the message is checked by hand
 * against what the SDK would accept, the tool runs exactly as the SDK's handler runs
 * it (mcp-server.ts), and the answer is the JSON-RPC response the SDK would send: the
 * same members and values (direct-tool-call.test.ts compares the two).
 *
 * Anything else is declined (undefined) and goes through the SDK unchanged: other
 * methods, batches, notifications, headers the SDK would refuse (it answers those
 * errors itself), `task` or unusual `_meta` parameters, and names that are not an
 * enabled tool (the SDK path answers EXTENSION_NOT_ENABLED or the protocol error).
 * Declining is always safe; accepting must never answer differently from the SDK.
 */
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import {
  type CallToolResult,
  ErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolCaller } from './mcp-tool.ts';
import type { WorkspaceTools } from './tool-catalog.ts';
import { structuredJsonOf } from './tool-result.ts';

type RequestId = string | number;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isRequestId = (value: unknown): value is RequestId =>
  typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));

/** The headers the SDK's transport checks before a request reaches its server. */
function headersAccepted(headers: Headers): boolean {
  const accept = headers.get('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  if (!isJsonContentType(headers.get('content-type'))) return false;
  const version = headers.get('mcp-protocol-version');
  return version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

/** `_meta` as the SDK accepts it, limited to what a client sends with a call: a progress token. */
function plainMeta(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (!isPlainObject(meta)) return false;
  return Object.entries(meta).every(([key, value]) => key === 'progressToken' && isRequestId(value));
}

/** The call in `message`, when it is one request the SDK would accept as a valid tools/call. */
function plainToolCall(message: unknown) {
  if (!isPlainObject(message)) return undefined;
  const { jsonrpc, id, method, params, ...rest } = message;
  // The SDK's JSON-RPC request schema is strict: any other top-level member is refused.
  if (jsonrpc !== '2.0' || !isRequestId(id) || method !== 'tools/call' || Object.keys(rest).length > 0) {
    return undefined;
  }
  if (!isPlainObject(params) || typeof params.name !== 'string') return undefined;
  if (params.task !== undefined || !plainMeta(params._meta)) return undefined;
  const args = params.arguments;
  if (args !== undefined && !isPlainObject(args)) return undefined;
  return { id, name: params.name, args: args ?? {} };
}

/**
 * The answer to `message` when it is a plain call of an enabled tool, else undefined
 * (the caller then hands the message to the SDK).
 */
export async function directToolCall(
  message: unknown,
  headers: Headers,
  tools: WorkspaceTools,
  caller: ToolCaller,
): Promise<Response | undefined> {
  const call = plainToolCall(message);
  if (!call || !headersAccepted(headers)) return undefined;
  const tool = tools.enabled.get(call.name);
  if (!tool) return undefined;
  let answer: string;
  try {
    answer = resultAnswer(await tool.call(call.args, caller), call.id);
  } catch (error) {
    // What the SDK's protocol layer answers when a request handler throws.
    const failure = error as { code?: unknown; message?: string; data?: unknown };
    answer = JSON.stringify({
      jsonrpc: '2.0',
      id: call.id,
      error: {
        code: Number.isSafeInteger(failure?.code) ? failure.code : ErrorCode.InternalError,
        message: failure?.message ?? 'Internal error',
        ...(failure?.data !== undefined && { data: failure.data }),
      },
    });
  }
  return new Response(answer, { status: 200, headers: { 'Content-Type': 'application/json' } });
}

/**
 * `{result, jsonrpc, id}` as the SDK serialises it. A structuredContent whose JSON
 * text is known (the route's answer, already checked by parsing it) is written as
 * that text: the payload is then serialised once, by the route, plus its escaped
 * copy in `content`.
 */
function resultAnswer(result: CallToolResult, id: RequestId): string {
  const json = structuredJsonOf(result);
  if (json === undefined) return JSON.stringify({ result, jsonrpc: '2.0', id });
  const { structuredContent: _written, ...rest } = result;
  const head = JSON.stringify(rest).slice(1, -1);
  return `{"result":{${head}${head ? ',' : ''}"structuredContent":${json}},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
}
