/** eventsRef: records events in the caller's transaction, refusing types the manifest does not declare. */
import { eventsRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { type EventInput, recordEvent, recordEvents } from '../events/record-event.ts';

export const eventsFactory = createServiceFactory({
  service: eventsRef,
  scope: 'extension',
  factory: (_deps, { extension }) => {
    const declared = new Set(extension.events ?? []);
    const checkDeclared = (event: EventInput) => {
      if (!declared.has(event.type)) {
        throw new Error(
          `Extension "${extension.id}" recorded event type "${event.type}", which its manifest does not declare; add it to manifest.events`,
        );
      }
    };
    return {
      record: (tx, event) => {
        checkDeclared(event);
        return recordEvent(tx, event);
      },
      recordMany: (tx, events) => {
        events.forEach(checkDeclared);
        return recordEvents(tx, events);
      },
    };
  },
});
