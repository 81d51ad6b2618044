/** The `webhooks_deliveries` table (migrations/0001_webhooks.sql). */
import { pg } from '@maskin/contract';

export const deliveries = pg.pgTable(
  'webhooks_deliveries',
  {
    provider: pg.text('provider').notNull(),
    deliveryId: pg.text('delivery_id').notNull(),
    workspaceId: pg.uuid('workspace_id').notNull(),
    integrationId: pg.uuid('integration_id').notNull(),
    eventType: pg.text('event_type').notNull(),
    receivedAt: pg.timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    pg.primaryKey({ name: 'webhooks_deliveries_unique', columns: [table.provider, table.deliveryId] }),
  ],
);
