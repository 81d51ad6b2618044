import { as, createTestKernel, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let t: TestKernel;
let owner: Member;
let other: Member;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Sam');
  other = await t.signup('Otto');
  const seeded = await t.call(
    'POST',
    '/api/objects',
    as(owner, {
      body: [
        {
          type: 'insight',
          title: 'Pricing page confuses visitors',
          content: 'Three people asked about pricing tiers.',
        },
        {
          type: 'bet',
          title: 'Onboarding checklist',
          content: 'A checklist may fix pricing questions later.',
        },
        {
          type: 'task',
          title: 'Write copy',
          content: 'Nothing relevant here.',
          metadata: { source: 'pricing survey' },
        },
        { type: 'task', title: 'Refactor billing', content: 'Billing code cleanup', status: 'done' },
        {
          type: 'insight',
          title: 'Churn after trial',
          content: 'Users leave when the trial ends; pricing is not the cause.',
        },
      ],
    }),
  );
  if (seeded.status !== 201) throw new Error(JSON.stringify(seeded.body));
  await t.call(
    'POST',
    '/api/objects',
    as(other, { body: { type: 'insight', title: 'Pricing secret of another workspace' } }),
  );
});
afterAll(() => t?.close());

const search = (member: Member, query: string) => t.call('GET', `/api/objects/search?${query}`, as(member));

it('ranks a title match above content and metadata matches, with stemming and a highlighted snippet', async () => {
  const res = await search(owner, 'q=pricing');
  expect(res.status).toBe(200);
  const titles = res.body.items.map((hit: any) => hit.title);
  expect(titles[0]).toBe('Pricing page confuses visitors');
  expect(titles).toContain('Write copy'); // matched in metadata only
  expect(titles).not.toContain('Refactor billing');
  expect(titles).toHaveLength(4);
  const ranks = res.body.items.map((hit: any) => hit.rank);
  expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  expect(res.body.items[0].snippet).toContain('<mark>Pricing</mark>');
  expect((await search(owner, 'q=prices')).body.items.length).toBeGreaterThan(0);
});

it('understands websearch syntax: phrases and exclusions', async () => {
  const phrase = await search(owner, `q=${encodeURIComponent('"pricing tiers"')}`);
  expect(phrase.body.items.map((hit: any) => hit.title)).toEqual(['Pricing page confuses visitors']);
  const excluded = await search(owner, `q=${encodeURIComponent('pricing -trial')}`);
  expect(excluded.body.items.map((hit: any) => hit.title)).not.toContain('Churn after trial');
});

it('filters by type and status', async () => {
  const insights = await search(owner, 'q=pricing&type=insight');
  expect(insights.body.items.map((hit: any) => hit.title).sort()).toEqual([
    'Churn after trial',
    'Pricing page confuses visitors',
  ]);
  expect((await search(owner, 'q=billing&status=done')).body.items).toHaveLength(1);
  expect((await search(owner, 'q=billing&status=todo')).body.items).toHaveLength(0);
});

it('pages by rank with a cursor, without repeats', async () => {
  const first = await search(owner, 'q=pricing&limit=2');
  expect(first.body.items).toHaveLength(2);
  const second = await search(owner, `q=pricing&limit=2&cursor=${first.body.next_cursor}`);
  const ids = [...first.body.items, ...second.body.items].map((hit: any) => hit.id);
  expect(new Set(ids).size).toBe(4);
  expect(second.body.next_cursor).toBeNull();
  expect((await search(owner, 'q=pricing&cursor=garbage')).status).toBe(400);
});

it('finds only objects of the caller’s workspace, sees updates at once, and needs a query', async () => {
  expect((await search(owner, 'q=secret')).body.items).toEqual([]);
  expect((await search(other, 'q=pricing')).body.items.map((hit: any) => hit.title)).toEqual([
    'Pricing secret of another workspace',
  ]);
  const made = await t.call('POST', '/api/objects', as(owner, { body: { type: 'task', title: 'Zebra' } }));
  await t.call('PATCH', `/api/objects/${made.body.id}`, as(owner, { body: { title: 'Okapi' } }));
  expect((await search(owner, 'q=zebra')).body.items).toEqual([]);
  expect((await search(owner, 'q=okapi')).body.items).toHaveLength(1);
  expect((await search(owner, 'q=')).status).toBe(400);
  expect((await search(owner, 'q=the')).body.items).toEqual([]); // stop words only: no lexemes, no hits
});

it('tolerates a typo: with no text match, titles spelt like the query come back marked similar', async () => {
  const exact = await search(owner, 'q=pricing');
  expect(exact.body.items.every((hit: any) => hit.match === 'text')).toBe(true);
  const typo = await search(owner, 'q=pricng');
  expect(typo.status).toBe(200);
  expect(typo.body.items.map((hit: any) => [hit.title, hit.match])).toEqual([
    ['Pricing page confuses visitors', 'similar'],
  ]);
  expect(typo.body.items[0].rank).toBeGreaterThan(0.5);
  expect(typo.body.next_cursor).toBeNull();
  // Filters still apply, and the other workspace stays out.
  expect((await search(owner, 'q=pricng&type=task')).body.items).toEqual([]);
  expect((await search(other, 'q=pricng')).body.items.map((hit: any) => hit.title)).toEqual([
    'Pricing secret of another workspace',
  ]);
  expect((await search(owner, 'q=zzzzqqq')).body.items).toEqual([]);
});

it('keeps the fallback’s lower similarity threshold inside its own transaction', async () => {
  expect((await search(owner, 'q=pricng')).body.items).toHaveLength(1);
  // On PGlite this is the very connection the fallback used; on PostgreSQL any of the pool's.
  const [setting] = await t.testDatabase.database.query<{ threshold: string | null }>(
    `select current_setting('pg_trgm.word_similarity_threshold', true) as threshold`,
  );
  expect(setting?.threshold).not.toBe('0.4');
});
