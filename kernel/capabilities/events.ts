/** eventsRef: records events in the caller's transaction, refusing types the manifest does not declare. */
import type { PreparedEvents } from '../contract/refs.ts';
import { eventsRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { type EventInput, recordEvent, recordEvents } from '../events/record-event.ts';

/** What some recorder's `prepare` made: a look-alike object cannot carry events past the type check. */
const prepared = new WeakSet<PreparedEvents>();

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
      recordMany: (tx, events, others = []) => {
        events.forEach(checkDeclared);
        for (const batch of others) {
          if (!prepared.has(batch)) throw new Error('recordMany takes prepared events only from prepare()');
        }
        return recordEvents(tx, [...events, ...others.flatMap((batch) => batch.events)]);
      },
      prepare: (events) => {
        events.forEach(checkDeclared);
        const batch: PreparedEvents = Object.freeze({ events: Object.freeze(events.map((e) => ({ ...e }))) });
        prepared.add(batch);
        return batch;
      },
    };
  },
});
