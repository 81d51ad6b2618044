/**
 * The namespace rule of extension migrations: every table, index, sequence, type,
 * view and function an extension's migration creates is named `<namespace>` or
 * `<namespace>_...` (the id in snake case), and it alters or drops only those. A
 * third-party `sessions` table can then never collide with a core one, and no
 * extension can change another's (or the kernel's) schema.
 *
 * Why a scan of the SQL text is enough: the check is a guard against mistakes, not a
 * sandbox (an extension's code runs in-process with the database anyway). Comments,
 * string literals and dollar-quoted bodies are blanked first, so a name inside them
 * cannot trigger or hide a statement; the statements that name objects have a fixed
 * grammar (CREATE [OR REPLACE] [UNIQUE|UNLOGGED|MATERIALIZED] <kind> [IF NOT EXISTS]
 * name, ALTER/DROP <kind> [IF EXISTS] name[, name]), so a keyword-level scan finds
 * them. Referencing a kernel table (a foreign key to actors or workspaces) is allowed:
 * it reads the kernel's schema, it does not change it.
 */

export interface NamespaceViolation {
  /** `creates table "sessions"`, `alters table "actors"`... */
  statement: string;
  name: string;
}

const IDENT = '(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)';
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;
const KIND = String.raw`(table|index|sequence|type|view|materialized\s+view|function)`;

/** Blanks comments, string literals and dollar-quoted bodies, keeping statement keywords. */
export function stripSqlNoise(sql: string): string {
  return sql
    .replace(/\$([a-z_]*)\$[\s\S]*?\$\1\$/gi, "''")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ');
}

function unqualified(name: string): { schema: string | undefined; name: string } {
  const parts = name.split(/\s*\.\s*/).map((part) => part.replace(/^"|"$/g, '').replace(/""/g, '"'));
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { schema: undefined, name: parts[0]! };
}

export function namespaceViolations(sql: string, namespace: string): NamespaceViolation[] {
  const text = stripSqlNoise(sql).replace(/\s+/g, ' ');
  const violations: NamespaceViolation[] = [];
  const check = (verb: string, kind: string, raw: string) => {
    const { schema, name } = unqualified(raw);
    const lower = name.toLowerCase();
    const inside = lower === namespace || lower.startsWith(`${namespace}_`);
    if (!inside || (schema !== undefined && schema.toLowerCase() !== 'public')) {
      violations.push({
        statement: `${verb} ${kind.replace(/\s+/g, ' ')} "${schema ? `${schema}.` : ''}${name}"`,
        name,
      });
    }
  };
  const create = new RegExp(
    String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:unique\s+|unlogged\s+|(?:global\s+|local\s+)?temp(?:orary)?\s+)?${KIND}\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(?!on\b)${QUALIFIED}`,
    'gi',
  );
  for (const match of text.matchAll(create)) check('creates', match[1]!.toLowerCase(), match[2]!);
  // An index is also checked on the table it indexes: `create index on actors (...)`.
  const indexOn = new RegExp(
    String.raw`\bcreate\s+(?:unique\s+)?index\b[^;]*?\bon\s+(?:only\s+)?${QUALIFIED}`,
    'gi',
  );
  for (const match of text.matchAll(indexOn)) check('indexes', 'table', match[1]!);
  const alter = new RegExp(String.raw`\balter\s+${KIND}\s+(?:if\s+exists\s+)?(?:only\s+)?${QUALIFIED}`, 'gi');
  for (const match of text.matchAll(alter)) check('alters', match[1]!.toLowerCase(), match[2]!);
  const drop = new RegExp(
    String.raw`\bdrop\s+${KIND}\s+(?:concurrently\s+)?(?:if\s+exists\s+)?(${QUALIFIED}(?:\s*,\s*${QUALIFIED})*)`,
    'gi',
  );
  for (const match of text.matchAll(drop)) {
    for (const name of match[2]!.split(',')) check('drops', match[1]!.toLowerCase(), name.trim());
  }
  return violations;
}
