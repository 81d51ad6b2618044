/** createStream refuses, at setup, what would break later: bad or duplicate names, unsafe counter tables, long channels. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { ExtensionManifest } from '../contract/extension.ts';
import type { ExtensionStreams, StreamSource } from '../contract/streams.ts';
import type { Database } from '../db/database.ts';
import type { StreamGuard } from '../events/stream-guard.ts';
import { StreamQuota } from '../events/stream-quota.ts';
import { LifecycleHub } from './lifecycle-hub.ts';
import { streamsFactory } from './streams.ts';

const logger = pino({ level: 'silent' });

function streamsFor(id: string) {
  const guarded: unknown[] = [];
  const lifecycle = new LifecycleHub(logger);
  const streams = streamsFactory.create(
    {
      database: {} as Database,
      config: loadConfig({}),
      logger,
      lifecycle,
      guard: { guard: (hub: unknown) => guarded.push(hub) } as unknown as StreamGuard,
      quota: new StreamQuota(1),
    },
    { extension: { id } as ExtensionManifest },
  ) as ExtensionStreams;
  return { streams, guarded };
}

const source = (overrides: Partial<StreamSource<{ id: number }>> = {}): StreamSource<{ id: number }> => ({
  name: 'lines',
  counterTable: 'demo_line_counters',
  readAfter: async () => [],
  idOf: (row) => row.id,
  eventOf: () => 'demo.line',
  dataOf: (row) => row,
  ...overrides,
});

describe('createStream', () => {
  it('derives the channel from the extension id and registers the hub with the guard', () => {
    const { streams, guarded } = streamsFor('session-logs');
    expect(streams.createStream(source()).channel).toBe('maskin_stream_session_logs_lines');
    expect(guarded).toHaveLength(1);
  });

  it('accepts a schema-qualified counter table', () => {
    expect(() =>
      streamsFor('demo').streams.createStream(source({ counterTable: 'demo.line_counters' })),
    ).not.toThrow();
  });

  it('refuses a name declared twice in one extension, but not in another', () => {
    const { streams } = streamsFor('demo');
    streams.createStream(source());
    expect(() => streams.createStream(source())).toThrow(/declared twice/);
    expect(() => streamsFor('other').streams.createStream(source())).not.toThrow();
  });

  it.each([
    ['Lines', /lowercase letters/],
    ['lines-x', /lowercase letters/],
    ['', /lowercase letters/],
  ])('refuses the stream name %j', (name, error) => {
    expect(() => streamsFor('demo').streams.createStream(source({ name }))).toThrow(error);
  });

  it.each(['counters; drop table x', 'Counters', 'a.b.c', '"quoted"'])(
    'refuses the counter table %j',
    (table) => {
      expect(() => streamsFor('demo').streams.createStream(source({ counterTable: table }))).toThrow(
        /lowercase SQL identifier/,
      );
    },
  );

  it('refuses a channel PostgreSQL would truncate', () => {
    const { streams } = streamsFor('a-rather-long-extension-identifier-here');
    expect(() => streams.createStream(source({ name: 'with_a_long_stream_name' }))).toThrow(/63 characters/);
  });
});
