import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamTickets } from './stream-tickets.ts';

const installationKey = randomBytes(32);
const tickets = new StreamTickets(installationKey);
const keyId = randomUUID();
const workspaceId = randomUUID();

describe('StreamTickets', () => {
  it('opens what it issued, with its claims, under the same installation key', () => {
    const { ticket, expiresAt } = tickets.issue(keyId, workspaceId, 5_000);
    const claims = new StreamTickets(Buffer.from(installationKey)).open(ticket);
    expect(claims).toEqual({ apiKeyId: keyId, workspaceId, expiresAt: expiresAt.getTime() });
  });

  it('refuses any change to the claims or the signature', () => {
    const { ticket } = tickets.issue(keyId, workspaceId);
    const [payload, signature] = ticket.slice(4).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, w: randomUUID() })).toString('base64url');
    for (const bad of [
      `stk_${forged}.${signature}`,
      `stk_${payload}.${signature.slice(1)}`,
      `stk_${payload}.${signature}x`,
      `stk_${payload}`,
      `xyz_${payload}.${signature}`,
    ]) {
      expect(() => tickets.open(bad), bad).toThrow(/Invalid stream ticket/);
    }
  });

  it('refuses a ticket of another installation and an expired one', () => {
    const foreign = new StreamTickets(randomBytes(32)).issue(keyId, workspaceId).ticket;
    expect(() => tickets.open(foreign)).toThrow(/Invalid/);
    const stale = tickets.issue(keyId, workspaceId, -1).ticket;
    expect(() => tickets.open(stale)).toThrow(/expired/);
  });
});
