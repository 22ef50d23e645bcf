/**
 * The vault's public shape, fixed first so that export, batch, the command and the shell can be
 * written against it. Implementation: ./vault.ts (SQLCipher via better-sqlite3-multiple-ciphers).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ClearanceFetch, ImageSide } from '../gateway/clearance';
import type { ImageMime } from '../gateway/images';
import type { IdentityValidation } from '../idcard';

export interface StoredRecord {
  orderId: string;
  profile: string;
  /** ISO 8601 UTC. A refetch keeps the first and moves the last. */
  firstFetchedAt: string;
  fetchedAt: string;
  name: string;
  idNumber: string;
  expiry: string;
  idType: number | null;
  images: Record<ImageSide, { mime: ImageMime; bytes: number } | null>;
  /** Validation as of `fetchedAt`; `flags` drive search filters. Re-derived on read for expiry. */
  validation: IdentityValidation;
  requestId: string | null;
}

import type { AuditAction, RecordFlag } from '../rules';

export type { RecordFlag };

export interface RecordQuery {
  /** Order id prefix or suffix, a name (or part), or the last digits of the ID number. */
  text?: string;
  /**
   * A full ID number, matched exactly. Not audited here: a user's search goes through
   * `findByIdNumber` (./id-search.ts), which audits it.
   */
  idNumber?: string;
  flags?: RecordFlag[];
  /** ISO dates (inclusive) on `fetchedAt`. */
  fetchedFrom?: string;
  fetchedTo?: string;
  profile?: string;
  sort?: 'fetchedAt' | 'orderId' | 'expiry';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export interface RecordPage {
  rows: StoredRecord[];
  total: number;
}

export type { AuditAction };

/** Who did what to which orders; never the personal data itself. */
export interface AuditEntry {
  id: number;
  at: string;
  action: AuditAction;
  osUser: string;
  host: string;
  profile: string | null;
  orderIds: string[];
  /** Small, non-personal facts: export mode and destination, field revealed, counts, channel (app/cli). */
  detail: Record<string, string | number | boolean>;
  /** Team mode: the desk an entry pulled from the team came from (absent for this desk's own). */
  desk?: string;
}

export interface AuditQuery {
  since?: string;
  until?: string;
  action?: AuditAction;
  orderId?: string;
  /** A prefix or a suffix of an order id. */
  orderIdPart?: string;
  /** A full ID number: matched by its keyed hash, so it finds entries about purged records too. */
  idNumber?: string;
  osUser?: string;
  /** The desk (computer name). */
  host?: string;
  limit?: number;
  offset?: number;
}

export interface Vault {
  /**
   * Store a successful fetch (images as blobs); a refetch updates and keeps the first-fetched time.
   * Writes the 'fetch' audit entry in the same transaction (detail: channel, default 'app'), unless
   * `audit: false` because the caller writes its own entry (e.g. one 'batch' entry for many orders).
   */
  saveFetch(
    fetch: ClearanceFetch,
    profile: string,
    opts?: {
      channel?: string;
      audit?: boolean;
      /** A record pulled from the team: its own times; not audited, not sent back out. */
      team?: { firstFetchedAt: string; fetchedAt: string };
    },
  ): StoredRecord;
  get(orderId: string): StoredRecord | undefined;
  image(orderId: string, side: ImageSide): { mime: ImageMime; bytes: Buffer } | undefined;
  /** The reply exactly as the gateway sent it. */
  rawReply(orderId: string): string | undefined;
  search(query: RecordQuery): RecordPage;
  /** Iterate without loading everything (export streams from this). */
  iterate(query: Omit<RecordQuery, 'offset' | 'limit'>): IterableIterator<StoredRecord>;
  /** The order ids a query matches, in its order, without reading the records themselves. */
  orderIds(query: Omit<RecordQuery, 'offset' | 'limit'>): string[];
  forget(orderIds: string[], actor: { profile: string | null; channel: string }): number;
  /** Retention: drop records (and images earlier, if set) past their age; audited. */
  purge(opts: {
    recordDays: number;
    imageDays?: number;
    auditDays: number;
    channel: string;
    /** The automatic purge (at start, periodically): audited only when it removed something. */
    auto?: boolean;
  }): {
    records: number;
    images: number;
    audit: number;
  };
  /** `idNumbers`: the entry is about these numbers (kept as keyed hashes) rather than its orders' records'. */
  audit(
    entry: Omit<AuditEntry, 'id' | 'at' | 'osUser' | 'host'>,
    opts?: { idNumbers?: readonly string[] },
  ): void;
  auditLog(query: AuditQuery): AuditEntry[];
  /**
   * For a component that keeps its own tables in the vault (batch jobs): applies `migrations`
   * (SQL, in order, each once, versioned per component) and returns the encrypted database.
   */
  extend(component: string, migrations: string[]): Database;
  /**
   * True once damage (a corrupt page) was found, now or by an earlier run: the vault is read-only,
   * every write is refused with `vault-damaged`, and nothing is written to the file any more.
   */
  isDamaged(): boolean;
  /** The "expiring soon" window for flags and search from now on (the user changed the setting). */
  setExpiringDays(days: number): void;
  close(): void;
}
