import { describe, expect, it } from 'vitest';
import { nextSlot, parseCron } from './cron-slots.ts';

describe('cron slots', () => {
  it('reads six fields with seconds first', () => {
    const cron = parseCron('fast', { cron: '*/2 * * * * *', timezone: 'UTC' });
    expect(nextSlot(cron, new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe(
      '2026-01-01T00:00:02.000Z',
    );
    // Strictly after: asking from inside a slot's second gives the next one.
    expect(nextSlot(cron, new Date('2026-01-01T00:00:02.000Z'))?.toISOString()).toBe(
      '2026-01-01T00:00:04.000Z',
    );
  });

  it('computes the same slot wherever in the gap it is asked', () => {
    const cron = parseCron('fast', { cron: '*/5 * * * * *', timezone: 'UTC' });
    const asked = ['00:00:00.001', '00:00:02.500', '00:00:04.999'].map((time) =>
      nextSlot(cron, new Date(`2026-01-01T${time}Z`))?.toISOString(),
    );
    expect(new Set(asked)).toEqual(new Set(['2026-01-01T00:00:05.000Z']));
  });

  it('reads the expression in the schedule time zone, across daylight saving', () => {
    const cron = parseCron('morning', { cron: '0 30 9 * * *', timezone: 'America/New_York' });
    // Winter: UTC-5; summer: UTC-4.
    expect(nextSlot(cron, new Date('2026-01-15T00:00:00Z'))?.toISOString()).toBe('2026-01-15T14:30:00.000Z');
    expect(nextSlot(cron, new Date('2026-07-15T00:00:00Z'))?.toISOString()).toBe('2026-07-15T13:30:00.000Z');
  });

  it('refuses a bad expression or zone with the schedule name', () => {
    expect(() => parseCron('nightly', { cron: 'every day', timezone: 'UTC' })).toThrow(/Schedule "nightly"/);
    expect(() => parseCron('nightly', { cron: '0 0 * * *', timezone: 'Mars/Olympus' })).toThrow(
      /time zone "Mars\/Olympus"/,
    );
  });
});
