/**
 * The team key and what it protects. The server never sees personal data in clear: names, ID
 * numbers, expiry texts, raw replies and images are sealed on the desk with AES-256-GCM (a fresh
 * 12-byte nonce per value, the order id and the field name as additional data, so a sealed value
 * moved to another order or field fails to open). The ID number also gets a blind index
 * (HMAC-SHA256 under a key derived with HKDF), so "same ID" checks and exact ID search work on
 * the server without the number. The audit chain is keyed the same way: whoever can edit the
 * server's tables but lacks the team key cannot forge a consistent chain.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ClearanceFailure, clearanceError } from '../errors';

export const TEAM_KEY_BYTES = 32;
const NONCE = 12;
const TAG = 16;
/** First byte of every sealed value: the format, so a later one can be told apart. */
const VERSION = 1;

export interface TeamKeys {
  /** AES-256-GCM key for field values. */
  seal: Buffer;
  /** HMAC key of the ID-number blind index. */
  index: Buffer;
  /** HMAC key of the audit chain. */
  chain: Buffer;
  /** A public check value of the key (the server keeps it, so a wrong join code is caught). */
  check: string;
}

const derive = (key: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `clearance-desk team ${info}`, 32));

export function teamKeys(key: Buffer): TeamKeys {
  if (key.length !== TEAM_KEY_BYTES) throw new ClearanceFailure(clearanceError('team-join-code'));
  return {
    seal: derive(key, 'seal v1'),
    index: derive(key, 'id-index v1'),
    chain: derive(key, 'audit-chain v1'),
    check: derive(key, 'check v1').toString('hex').slice(0, 32),
  };
}

export const newTeamKey = () => randomBytes(TEAM_KEY_BYTES);

const aad = (orderId: string, field: string) => Buffer.from(`${orderId}\u0000${field}`, 'utf8');

/** version ‖ nonce ‖ ciphertext ‖ tag. */
export function seal(keys: TeamKeys, orderId: string, field: string, plain: Buffer | string): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', keys.seal, nonce);
  c.setAAD(aad(orderId, field));
  const body = Buffer.concat([
    c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
    c.final(),
  ]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, c.getAuthTag()]);
}

/** Throws `team-data` when the value was not sealed for this order and field under this key. */
export function open(keys: TeamKeys, orderId: string, field: string, sealed: Buffer): Buffer {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION)
    throw new ClearanceFailure(clearanceError('team-data', { orderId }));
  try {
    const d = createDecipheriv('aes-256-gcm', keys.seal, sealed.subarray(1, 1 + NONCE));
    d.setAAD(aad(orderId, field));
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([d.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), d.final()]);
  } catch {
    throw new ClearanceFailure(clearanceError('team-data', { orderId }));
  }
}

export const openText = (keys: TeamKeys, orderId: string, field: string, sealed: Buffer) =>
  open(keys, orderId, field, sealed).toString('utf8');

/** The blind index of an (already normalised) ID number: equal numbers, equal index; nothing else learnt. */
export const idIndex = (keys: TeamKeys, idNumber: string) =>
  createHmac('sha256', keys.index).update(idNumber, 'utf8').digest('hex');

/** One link of the audit chain: HMAC over the previous link and the entry's canonical text. */
export const chainHash = (keys: TeamKeys, prev: string, canonical: string) =>
  createHmac('sha256', keys.chain).update(prev).update('\n').update(canonical).digest('hex');

// --- Join codes -------------------------------------------------------------------------------
// CDT1-XXXX-XXXX-…: Crockford base32 of team id (16 bytes) ‖ key (32) ‖ first 4 bytes of
// SHA-256 over both. The checksum catches a typo before any server is asked; the server's key
// check catches a code of another team.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = ((value << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | null {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function encodeJoinCode(teamId: string, key: Buffer): string {
  const id = Buffer.from(teamId.replace(/-/g, ''), 'hex');
  const body = Buffer.concat([id, key]);
  const sum = createHash('sha256').update(body).digest().subarray(0, 4);
  const text = base32(Buffer.concat([body, sum]));
  return `CDT1-${text.match(/.{1,5}/g)?.join('-')}`;
}

/** The team id and key of a join code, or null for anything that is not one (typo, truncated). */
export function decodeJoinCode(code: string): { teamId: string; key: Buffer } | null {
  const t = code.trim().toUpperCase().replace(/[\s-]/g, '');
  if (!t.startsWith('CDT1')) return null;
  const raw = unbase32(t.slice(4));
  if (!raw || raw.length < 52) return null;
  const body = raw.subarray(0, 48);
  const sum = createHash('sha256').update(body).digest().subarray(0, 4);
  if (!sum.equals(raw.subarray(48, 52))) return null;
  const hex = body.subarray(0, 16).toString('hex');
  const teamId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { teamId, key: Buffer.from(body.subarray(16, 48)) };
}
