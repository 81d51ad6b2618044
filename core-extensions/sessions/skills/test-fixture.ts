/**
 * Test only: a stand-in for the sessions extension that mounts nothing but the skills
 * routes and migration, so skills are tested over HTTP on a real kernel before (and
 * independently of) the sessions extension's own index.ts.
 */
import { dbRef, defineExtension, eventsRef, membersRef } from '@maskin/contract';
import { sessionCredentialsPoint } from '../api.ts';
import { SKILL_EVENT_TYPES, skillRoutes } from './index.ts';

export const sessionsWithSkillsOnly = defineExtension({
  manifest: {
    id: 'sessions',
    version: '0.0.0',
    kernel: '^1.0.0',
    description: 'Test stand-in for sessions: only its skills routes.',
    mounts: ['sessions'],
    enablement: 'default-on',
    events: [...SKILL_EVENT_TYPES],
  },
  deps: { database: dbRef, events: eventsRef, members: membersRef },
  migrations: new URL('../migrations/', import.meta.url),
  // Declared so claude-oauth can boot beside this stand-in (its conformance run).
  extensionPoints: [sessionCredentialsPoint],
  setup({ deps }) {
    return { routes: skillRoutes({ db: deps.database.db, events: deps.events, members: deps.members }) };
  },
});
