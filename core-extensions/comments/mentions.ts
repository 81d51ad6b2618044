/**
 * Mentions in a comment body: `@[Display name](actor-uuid)`, the markdown-link shape
 * that editors insert when one picks a member (the name is for readers; the id is
 * what counts). A bare `@name` is just text. Ids are returned distinct, in order.
 */
const MENTION =
  /@\[([^\]\n]{1,200})\]\(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)/g;

export function mentionedIds(body: string): string[] {
  const ids = [...body.matchAll(MENTION)].map((match) => match[2]!.toLowerCase());
  return [...new Set(ids)];
}
