/**
 * An extension's namespace: its id in snake case (`meeting-notes` -> `meeting_notes`).
 * Its tables, indexes, types and (third-party) event types carry it, so two
 * extensions, or an extension and the kernel, can never claim the same name.
 */
export function namespaceOf(extensionId: string): string {
  return extensionId.replace(/-/g, '_');
}

/** `name` is the namespace itself or starts with `<namespace>_`. */
export function isInNamespace(name: string, namespace: string): boolean {
  const lower = name.toLowerCase();
  return lower === namespace || lower.startsWith(`${namespace}_`);
}
