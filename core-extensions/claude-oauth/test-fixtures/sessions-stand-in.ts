/**
 * Test only: a stand-in for the sessions extension that owns the credential-provider
 * point and nothing else, so claude-oauth is tested through the point exactly as
 * sessions will call it. Each call builds a fresh definition with its own view.
 */
import { defineExtension, type ExtensionPointRegistrations } from '@maskin/contract';
import { type SessionCredentialProvider, sessionCredentialsPoint } from '../../sessions/api.ts';

export function sessionsStandIn() {
  let view: ExtensionPointRegistrations<SessionCredentialProvider> | undefined;
  const definition = defineExtension({
    manifest: {
      id: 'sessions',
      version: '0.0.0',
      kernel: '^1.0.0',
      description: 'Test stand-in for sessions: owns the credential-provider point.',
      mounts: ['sessions'],
      enablement: 'default-on',
    },
    extensionPoints: [sessionCredentialsPoint],
    setup({ extensionPoints }) {
      view = extensionPoints.registrations(sessionCredentialsPoint);
      return {};
    },
  });
  /** The providers for a runtime, as sessions asks them when a session starts. */
  const providersFor = (runtime: string) => {
    if (!view) throw new Error('the sessions stand-in is not set up');
    return view.values().filter((provider) => provider.runtimes.includes(runtime));
  };
  return { definition, providersFor };
}
