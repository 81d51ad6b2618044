/** dbRef: drizzle and raw queries on the shared database (every query scoped by workspace id). */
import { dbRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { internalDatabaseRef } from './internal-refs.ts';

export const databaseFactory = createServiceFactory({
  service: dbRef,
  scope: 'kernel',
  deps: { database: internalDatabaseRef },
  factory: ({ database }) => ({ db: database.db, query: (text, params) => database.query(text, params) }),
});
