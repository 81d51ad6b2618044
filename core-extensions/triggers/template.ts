/**
 * Prompt and body templates: `{{event.data.to}}`, `{{trigger.name}}`,
 * `{{scheduled_for}}`. A missing value renders as an empty string (a trigger should
 * not fail because an event lacks an optional field). In a body, a string that is
 * exactly one placeholder takes the raw value, so `"{{event.data.count}}"` stays a number.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}$/;

export type TemplateScope = Record<string, unknown>;

function lookup(scope: TemplateScope, path: string): unknown {
  let value: unknown = scope;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const asText = (value: unknown) =>
  value === undefined || value === null
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

export function renderText(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => asText(lookup(scope, path)));
}

/** A path template: inserted values are URL-encoded so an event cannot change the route. */
export function renderPath(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_match, path: string) =>
    encodeURIComponent(asText(lookup(scope, path))),
  );
}

export function renderBody(body: unknown, scope: TemplateScope): unknown {
  if (typeof body === 'string') {
    const whole = WHOLE.exec(body);
    return whole ? (lookup(scope, whole[1]!) ?? null) : renderText(body, scope);
  }
  if (Array.isArray(body)) return body.map((item) => renderBody(item, scope));
  if (body !== null && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, renderBody(value, scope)]));
  }
  return body;
}
