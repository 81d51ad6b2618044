/**
 * Finding 1 (issue 10): a response that carries a secret is never stored in clear by
 * the idempotency ledger, and a replay does not hand the secret out again (not even
 * after the key was revoked). Also: such responses carry Cache-Control: no-store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

/** Every stored ledger row as text, the way someone reading the database would see it. */
async function ledgerText(): Promise<string> {
  const rows = await t.testDatabase.database.query<{ row: string }>(
    'select row_to_json(i)::text as row from idempotency_keys i',
  );
  return rows.map((r) => r.row).join('\n');
}

describe('secrets in the idempotency ledger', () => {
  it('an API key created with an Idempotency-Key is not stored, and a replay answers 409 without it', async () => {
    const user = await t.signup('Keymaker');
    const create = () =>
      t.call('POST', '/api/actors/me/api-keys', {
        key: user.key,
        body: { name: 'ci' },
        headers: { 'idempotency-key': 'make-ci-key' },
      });
    const first = await create();
    expect(first.status).toBe(201);
    const secret = first.body.key as string;
    expect(secret).toMatch(/^ank_/);
    expect(first.headers.get('cache-control')).toBe('no-store');

    // The attack: read the ledger, then authenticate with what it holds.
    const stored = await ledgerText();
    expect(stored).toContain('make-ci-key');
    expect(stored).not.toContain(secret);
    expect(stored).not.toMatch(/ank_[0-9A-Za-z]{38}/);

    const replay = await create();
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('CONFLICT');
    expect(replay.body.error.message).toMatch(/already succeeded \(status 201\)/);
    expect(JSON.stringify(replay.body)).not.toContain(secret);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('cache-control')).toBe('no-store');

    // Not created twice.
    const keys = await t.call('GET', '/api/actors/me/api-keys', { key: user.key });
    expect(keys.body.items.filter((k: { name: string }) => k.name === 'ci')).toHaveLength(1);

    // After revocation the replay still hands nothing out.
    const revoked = await t.call('DELETE', `/api/actors/me/api-keys/${first.body.id}`, { key: user.key });
    expect(revoked.status).toBe(200);
    const afterRevoke = await create();
    expect(afterRevoke.status).toBe(409);
    expect(JSON.stringify(afterRevoke.body)).not.toContain(secret);
  });

  it('a stream ticket is not stored either', async () => {
    const user = await t.signup('Ticketed');
    const first = await t.call('POST', '/api/events/stream-tickets', {
      key: user.key,
      workspace: user.workspaceId,
      headers: { 'idempotency-key': 'ticket-1' },
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(await ledgerText()).not.toContain(first.body.ticket);
  });

  it('signup (the first key) is sent with no-store', async () => {
    const signup = await t.call('POST', '/api/actors/signup', {
      body: { name: 'Nostore', email: `nostore-${Date.now()}@example.com` },
    });
    expect(signup.status).toBe(201);
    expect(signup.headers.get('cache-control')).toBe('no-store');
  });

  it('ordinary responses are still replayed in full', async () => {
    const user = await t.signup('Ordinary');
    const make = () =>
      t.call('POST', '/api/workspaces', {
        key: user.key,
        body: { name: 'Replayed' },
        headers: { 'idempotency-key': 'ws-1' },
      });
    const first = await make();
    const again = await make();
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });
});
