/**
 * HMAC-SHA256 signatures over exact bytes, both ways: the digest we post and the
 * receipt the receiver posts back carry `X-Daily-Digest-Signature: sha256=<hex>` of
 * the body under the workspace's signing_secret. Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-daily-digest-signature';

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verify(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
