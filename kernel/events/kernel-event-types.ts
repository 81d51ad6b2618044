/**
 * The event types the kernel records. Event types are global names in every
 * workspace's log, so no extension may declare one of these (or one another
 * extension declares): a consumer of the log must be able to trust that
 * `member.removed` came from the kernel. Checked at boot (resolve-extensions.ts); a
 * test checks that the kernel records nothing outside this list.
 */
export const KERNEL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'actor.created',
  'api_key.created',
  'api_key.revoked',
  'workspace.created',
  'workspace.updated',
  'workspace.deleted',
  'member.added',
  'member.role_changed',
  'member.removed',
  'extension.enabled',
  'extension.disabled',
  'extension.settings_updated',
  'job.progress',
  'job.failed',
  'subscription.event_parked',
]);
