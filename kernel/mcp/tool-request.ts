/**
 * Turns the arguments of a route-derived tool call into the HTTP request it stands
 * for, following the ArgumentPlan of tool-input-schema.ts. It checks only what it needs
 * to build a request (no unknown arguments, every path parameter present); everything
 * else (types, ranges, required body fields) is left to the route's own validation,
 * so a call is judged exactly as the same HTTP request would be.
 */
import { type ApiError, validationError } from '../contract/errors.ts';
import { type ArgumentPlan, WORKSPACE_PARAM } from './tool-input-schema.ts';

export interface ToolRequest {
  method: string;
  /** Path and query string, e.g. `/api/m/meeting-notes?limit=5`. */
  url: string;
  /** The JSON body, or undefined for none. */
  body: unknown;
}

/** Every argument a plan accepts; the same for every call of its tool, so built once. */
const knownByPlan = new WeakMap<ArgumentPlan, ReadonlySet<string>>();

function knownArguments(plan: ArgumentPlan): ReadonlySet<string> {
  let known = knownByPlan.get(plan);
  if (!known) {
    known = new Set([
      ...plan.path,
      ...plan.query,
      ...(plan.body.mode === 'merged' || plan.body.mode === 'flat-or-wrapped' ? plan.body.fields : []),
      ...(plan.body.mode === 'wrapped' || plan.body.mode === 'flat-or-wrapped' ? [plan.body.property] : []),
    ]);
    knownByPlan.set(plan, known);
  }
  return known;
}

export function buildToolRequest(
  operation: { method: string; path: string },
  plan: ArgumentPlan,
  args: Record<string, unknown>,
  workspaceId: string,
): ToolRequest | ApiError {
  const known = knownArguments(plan);
  const unknown = Object.keys(args).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    let accepted = known.size > 0 ? `accepted: ${[...known].join(', ')}` : 'this tool takes no arguments';
    if ((plan.body.mode === 'wrapped' || plan.body.mode === 'flat-or-wrapped') && plan.body.expected) {
      accepted += `; ${plan.body.property} is ${plan.body.expected}`;
    }
    return validationError(
      `Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (${accepted})`,
      unknown.map((name) => ({ path: name, message: 'unknown argument' })),
    );
  }

  let path = operation.path;
  for (const name of plan.path) {
    let value = args[name];
    if ((value === undefined || value === null) && name === WORKSPACE_PARAM) value = workspaceId;
    if (value === undefined || value === null || value === '') {
      return validationError(`Argument ${name} is required`, [{ path: name, message: 'required' }]);
    }
    path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
  }

  let query: URLSearchParams | undefined;
  for (const name of plan.query) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    query ??= new URLSearchParams();
    for (const item of Array.isArray(value) ? value : [value]) {
      query.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  const search = query ? `?${query}` : '';

  let body: unknown;
  if (plan.body.mode === 'merged') {
    const fields = plan.body.fields.filter((field) => args[field] !== undefined);
    // A required body is always sent, so missing fields are reported by the route.
    if (fields.length > 0 || plan.body.required) {
      body = Object.fromEntries(fields.map((field) => [field, args[field]]));
    }
  } else if (plan.body.mode === 'flat-or-wrapped') {
    const { fields, property, expected } = plan.body;
    const flat = fields.filter((field) => args[field] !== undefined);
    if (args[property] !== undefined && flat.length > 0) {
      return validationError(
        `Pass either the fields of one item (${flat.join(', ')}) or ${property}, not both (${property} is ${expected})`,
        flat.map((field) => ({ path: field, message: `not allowed together with ${property}` })),
      );
    }
    if (args[property] !== undefined) body = args[property];
    else if (flat.length > 0) body = Object.fromEntries(flat.map((field) => [field, args[field]]));
    else if (plan.body.required) {
      return validationError(`Pass the fields of one item at the top level, or ${property} (${expected})`, [
        { path: property, message: 'required' },
      ]);
    }
  } else if (plan.body.mode === 'wrapped') {
    body = args[plan.body.property];
    if (body === undefined && plan.body.required) {
      return validationError(
        `Argument ${plan.body.property} is required (${plan.body.expected ?? 'the request body'})`,
        [{ path: plan.body.property, message: 'required' }],
      );
    }
  }
  return { method: operation.method.toUpperCase(), url: `${path}${search}`, body };
}
