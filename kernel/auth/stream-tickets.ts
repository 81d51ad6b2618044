/**
 * Stream tickets: how a browser opens an event stream. `EventSource` cannot send an
 * Authorization header, and an API key must never travel in a URL (URLs end up in
 * logs, history and proxies). So a client holding a key asks for a ticket
 * (`POST /api/events/stream-tickets`) and opens `GET ...?ticket=...` with it.
 *
 * A ticket names the API key and the workspace it was issued for and expires after
 * TICKET_TTL_MS. It is signed (HMAC-SHA256 with a key derived from the installation
 * key), not stored, so any instance accepts it and issuing one writes nothing. Using
 * it still checks the API key (revoked or expired: 401) and the membership (404), so
 * a ticket never outlives the rights it was issued under. It opens only routes that
 * declare `access.streamTicket` (streams), nothing else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../contract/errors.ts';
import { deriveKey } from './installation-key.ts';

export const TICKET_TTL_MS = 60_000;
const PREFIX = 'stk_';

export interface StreamTicketClaims {
  apiKeyId: string;
  workspaceId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export class StreamTickets {
  private readonly key: Buffer;

  constructor(installationKey: Buffer) {
    this.key = deriveKey(installationKey, 'stream tickets');
  }

  issue(apiKeyId: string, workspaceId: string, ttlMs = TICKET_TTL_MS): { ticket: string; expiresAt: Date } {
    const expiresAt = Date.now() + ttlMs;
    const payload = Buffer.from(JSON.stringify({ k: apiKeyId, w: workspaceId, e: expiresAt })).toString(
      'base64url',
    );
    return { ticket: `${PREFIX}${payload}.${this.sign(payload)}`, expiresAt: new Date(expiresAt) };
  }

  /** The claims of a valid, unexpired ticket; 401 otherwise. */
  open(ticket: string): StreamTicketClaims {
    const [payload, signature, extra] = ticket.startsWith(PREFIX)
      ? ticket.slice(PREFIX.length).split('.')
      : [];
    const expected = payload ? Buffer.from(this.sign(payload)) : undefined;
    const given = Buffer.from(signature ?? '');
    if (
      !expected ||
      extra !== undefined ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      throw unauthorized('Invalid stream ticket: request a new one with POST /api/events/stream-tickets');
    }
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as {
      k: string;
      w: string;
      e: number;
    };
    if (claims.e <= Date.now()) {
      throw unauthorized('Stream ticket has expired: request a new one with POST /api/events/stream-tickets');
    }
    return { apiKeyId: claims.k, workspaceId: claims.w, expiresAt: claims.e };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
