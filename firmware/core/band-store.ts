/**
 * What the band keeps in flash, as three records over a journaled record store:
 * enrollment (pinned checkout keys), cards (metadata), ledger (counters, transit
 * balances, the day's total). A payment rewrites only the small ledger record; a
 * provisioning writes cards and ledger together so they never disagree.
 *
 * Records are CBOR in the strict profile and are decoded like any untrusted input:
 * flash can be corrupted, and a record that does not decode is not trusted.
 */
import { decodeCbor } from '../../shared/cbor/decode.ts';
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { CborMap, type CborValue } from '../../shared/cbor/types.ts';
import { cardToCbor, decodeCardMap } from '../../shared/messages/bodies.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { Result } from '../../shared/status/error.ts';
import type { Log } from '../hal.ts';
import type { Wallet } from './wallet.ts';

/** The journal's interface as the band needs it (firmware/storage/journal.ts implements it). */
export interface RecordStore {
  get(id: number): Uint8Array | null;
  /** Writes all entries atomically; fails when the write did not complete (power cut, flash error). */
  putMany(entries: Array<{ id: number; value: Uint8Array }>): Result<true>;
  /** Rewrites live records into fresh pages so erased data is physically gone (remote wipe). */
  compact(): Result<true>;
}

export const Record = { ENROLLMENT: 1, CARDS: 2, LEDGER: 3, IDENTITY: 4 } as const;

/**
 * Map keys of the enrollment and ledger records (docs/STORAGE.md, "The band's records"); the
 * cards record is an array of card maps (CardKey, shared/messages/keys.ts). These numbers are
 * in every enrolled band's flash: never renumber one. Read only by static name (`Table.NAME`):
 * the image pipeline then inlines them and drops the tables.
 */
const EnrollmentRecordKey = {
  CHECKOUT_SIGNING_KEY: 1,
  CHECKOUT_HPKE_KEY: 2,
  DEVICE_ID: 3,
  IRK: 4,
  KEY_EPOCH: 5,
} as const;
const LedgerRecordKey = { ROWS: 1, DAY: 2, DAY_TOTAL: 3 } as const;

export interface Enrollment {
  checkoutSigningKey: Uint8Array;
  checkoutHpkeKey: Uint8Array;
  deviceId: Uint8Array;
  /**
   * The radio's identity resolving key (PROTOCOL.md §7): made at enrollment, wiped with it.
   * Null in a record written before it existed (the band then advertises from a key made per boot).
   */
  irk: Uint8Array | null;
  /**
   * The number of the checkout keys pinned above: 0 as enrolled, then each key update's
   * (PROTOCOL.md §8), which must be higher so an old update cannot roll the band back.
   */
  keyEpoch: number;
}

function decodeRecord(bytes: Uint8Array | null): CborValue | undefined {
  if (bytes === null) return undefined;
  const r = decodeCbor(bytes, { strict: true, maxDepth: 4, maxBytes: 4096 });
  return r.ok ? r.value : undefined;
}

export class BandStore {
  constructor(
    private readonly records: RecordStore,
    private readonly log: Log,
  ) {}

  loadEnrollment(): Enrollment | null {
    const v = decodeRecord(this.records.get(Record.ENROLLMENT));
    if (!(v instanceof CborMap)) return null;
    const s = v.get(EnrollmentRecordKey.CHECKOUT_SIGNING_KEY);
    const h = v.get(EnrollmentRecordKey.CHECKOUT_HPKE_KEY);
    const d = v.get(EnrollmentRecordKey.DEVICE_ID);
    const k = v.get(EnrollmentRecordKey.IRK);
    const epoch = v.get(EnrollmentRecordKey.KEY_EPOCH);
    if (!(s instanceof Uint8Array) || !(h instanceof Uint8Array) || !(d instanceof Uint8Array)) return null;
    if (s.length !== 65 || h.length !== 65 || d.length !== 16) return null;
    return {
      checkoutSigningKey: s,
      checkoutHpkeKey: h,
      deviceId: d,
      irk: k instanceof Uint8Array && k.length === 16 ? k : null,
      // Absent in a record written before key updates existed: the keys it was enrolled with.
      keyEpoch: typeof epoch === 'number' ? epoch : 0,
    };
  }

  saveEnrollment(e: Enrollment | null): boolean {
    const value =
      e === null
        ? encodeCbor(null)
        : encodeCbor(
            new CborMap(
              [
                EnrollmentRecordKey.CHECKOUT_SIGNING_KEY,
                EnrollmentRecordKey.CHECKOUT_HPKE_KEY,
                EnrollmentRecordKey.DEVICE_ID,
                EnrollmentRecordKey.IRK,
                EnrollmentRecordKey.KEY_EPOCH,
              ],
              [e.checkoutSigningKey, e.checkoutHpkeKey, e.deviceId, e.irk, e.keyEpoch],
            ),
          );
    return this.write([{ id: Record.ENROLLMENT, value }]);
  }

  /** Loads cards and ledger into `wallet`; returns STORAGE_CORRUPT when a record is present but unreadable. */
  loadWallet(wallet: Wallet): StatusCode {
    wallet.clear();
    const rawCards = this.records.get(Record.CARDS);
    const cards = decodeRecord(rawCards);
    if (rawCards !== null && !(cards instanceof Array)) return Status.STORAGE_CORRUPT;
    if (cards instanceof Array) {
      for (let i = 0; i < cards.length; i++) {
        const m = cards[i];
        if (!(m instanceof CborMap)) return Status.STORAGE_CORRUPT;
        const c = decodeCardMap(m);
        if (!c.ok) return Status.STORAGE_CORRUPT;
        wallet.entries.push({ card: c.value, counter: 0 });
      }
    }
    const rawLedger = this.records.get(Record.LEDGER);
    const ledger = decodeRecord(rawLedger);
    if (rawLedger !== null && !(ledger instanceof CborMap)) return Status.STORAGE_CORRUPT;
    if (ledger instanceof CborMap) {
      const rows = ledger.get(LedgerRecordKey.ROWS);
      const day = ledger.get(LedgerRecordKey.DAY);
      const total = ledger.get(LedgerRecordKey.DAY_TOTAL);
      if (!(rows instanceof Array) || typeof day !== 'number' || typeof total !== 'number')
        return Status.STORAGE_CORRUPT;
      wallet.dayTotal = { day, total };
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (
          !(row instanceof Array) ||
          row.length !== 3 ||
          typeof row[0] !== 'string' ||
          typeof row[1] !== 'number' ||
          typeof row[2] !== 'number'
        ) {
          return Status.STORAGE_CORRUPT;
        }
        const entry = wallet.find(row[0]);
        if (entry === null) continue;
        entry.counter = row[1];
        if (entry.card.kind === 'transit') entry.card.balance = row[2];
      }
    }
    return Status.OK;
  }

  /** The identity credentials record (core/identity.ts): undefined when absent or unreadable. */
  loadIdentity(): CborValue | undefined {
    return decodeRecord(this.records.get(Record.IDENTITY));
  }

  /** Commits the identity credentials (their counters before an assertion is signed). */
  commitIdentity(rows: CborValue[]): boolean {
    return this.write([{ id: Record.IDENTITY, value: encodeCbor(rows) }]);
  }

  /** Physically drops superseded records (after a wipe, old card data must not linger in flash). */
  compact(): boolean {
    return this.records.compact().ok;
  }

  /** Commits the ledger (counters, balances, day total) alone: the step before a signature. */
  commitLedger(wallet: Wallet): boolean {
    return this.write([{ id: Record.LEDGER, value: ledgerBytes(wallet) }]);
  }

  /** Commits cards and ledger together (provision, remove, wipe). */
  commitWallet(wallet: Wallet): boolean {
    const cards: CborValue[] = [];
    for (let i = 0; i < wallet.entries.length; i++) cards.push(cardToCbor(wallet.entries[i].card));
    return this.write([
      { id: Record.CARDS, value: encodeCbor(cards) },
      { id: Record.LEDGER, value: ledgerBytes(wallet) },
    ]);
  }

  /** One atomic write; a failure is logged (the caller answers with a status). */
  private write(entries: Array<{ id: number; value: Uint8Array }>): boolean {
    const r = this.records.putMany(entries);
    if (!r.ok) this.log.log('storage: write failed: ' + (r.detail || r.status));
    return r.ok;
  }
}

function ledgerBytes(wallet: Wallet): Uint8Array {
  const rows: CborValue[] = [];
  for (let i = 0; i < wallet.entries.length; i++) {
    const e = wallet.entries[i];
    rows.push([e.card.cardRef, e.counter, e.card.kind === 'transit' ? e.card.balance : 0]);
  }
  return encodeCbor(
    new CborMap(
      [LedgerRecordKey.ROWS, LedgerRecordKey.DAY, LedgerRecordKey.DAY_TOTAL],
      [rows, wallet.dayTotal.day, wallet.dayTotal.total],
    ),
  );
}
