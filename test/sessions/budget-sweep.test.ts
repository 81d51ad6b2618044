/**
 * A budget is enforced when usage is recorded. If that stop fails (here a fault
 * injected into its transaction: the session.budget_exceeded insert raises, once), the
 * session must not run on unchecked until it next reports usage: the sweep stops it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench({ profile: { monthly_budget_usd: 0.5 } });
});
afterAll(() => bench?.close());

it('stops a session over budget on the next sweep when the stop at the usage report failed', async () => {
  const { database } = bench.t.kernel.services;
  await database.query('create sequence budget_stop_faults');
  await database.query(`create function fail_first_budget_stop() returns trigger language plpgsql as $$
    begin
      if new.type = 'session.budget_exceeded' and nextval('budget_stop_faults') = 1 then
        raise exception 'injected fault: the first budget stop fails';
      end if;
      return new;
    end $$`);
  await database.query(
    'create trigger fail_first_budget_stop before insert on events for each row execute function fail_first_budget_stop()',
  );

  // Three results of 0.2, 0.4, 0.6 USD cumulative, then the agent waits for input: it
  // reports no more usage, so only the sweep can stop it.
  const created = await bench.start('results=3 cost=0.2 long=1');
  const stopped = await bench.waitStatus(created.id, ['stopped', 'completed', 'failed'], 30_000);
  expect(stopped).toMatchObject({ status: 'stopped', reason: 'budget_exceeded' });
  expect(stopped.usage.cost_usd).toBeCloseTo(0.6, 6);
  // The stop at the usage report did fail: the fault fired (the sequence moved past 1).
  const [fault] = await database.query<{ last_value: string; is_called: boolean }>(
    'select last_value, is_called from budget_stop_faults',
  );
  expect(Number(fault!.last_value)).toBeGreaterThanOrEqual(2);
  const events = await bench.call('GET', '/api/events?type=session.budget_exceeded');
  expect(events.body.items).toHaveLength(1);
});
