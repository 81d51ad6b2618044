/** Shared steps of the subscription suites: boot with the fixture, write events, read deliveries. */
import type { Database } from '../../kernel/db/database.ts';
import { recordEvent } from '../../kernel/events/record-event.ts';
import {
  type SubscriptionFixtureOptions,
  subscriptionFixture,
} from '../fixtures/subscription-fixture/extension.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';

export function fixtureInstalled(options: SubscriptionFixtureOptions = {}) {
  return [installed(subscriptionFixture(options))];
}

export function bootWithFixture(options: SubscriptionFixtureOptions = {}) {
  return createTestKernel({ extensions: fixtureInstalled(options) });
}

/** Records each event in its own transaction, as separate requests would; returns their ids. */
export async function writeEvents(
  database: Database,
  workspaceId: string,
  events: { type: string; data?: Record<string, unknown> }[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const event of events) {
    const recorded = await database.db.transaction((tx) =>
      recordEvent(tx, { workspaceId, actorId: null, entityType: 'fixture', ...event }),
    );
    ids.push(recorded.id);
  }
  return ids;
}

export function pings(count: number, data: Record<string, unknown> = {}) {
  return Array.from({ length: count }, (_, index) => ({ type: 'fixture.ping', data: { index, ...data } }));
}

export interface DeliveryRow {
  workspace_id: string;
  event_id: number;
  event_type: string;
  attempt: number;
  handled_by: number;
}

/** Committed handler calls (one row each), in event order. */
export async function deliveries(database: Database, workspaceId?: string): Promise<DeliveryRow[]> {
  const rows = await database.query<DeliveryRow & { event_id: string | number }>(
    `select workspace_id, event_id, event_type, attempt, handled_by from subscription_fixture_deliveries
      where $1::uuid is null or workspace_id = $1::uuid order by workspace_id, event_id, attempt`,
    [workspaceId ?? null],
  );
  return rows.map((row) => ({ ...row, event_id: Number(row.event_id) }));
}
