import { CborMap, type CborValue } from '../cbor/types.ts';
import { utf8Length } from '../cbor/utf8.ts';
import { Status, type StatusCode, isStatusCode } from '../status/codes.ts';
import { type Result, fail, ok } from '../status/error.ts';

export interface FieldOptions {
  /**
   * The key may be absent: uint, bytes, text and bool then read it as undefined. One flag
   * rather than an optionalUint/optionalBytes/… per reader: every method costs the band's
   * heap ~190 bytes.
   */
  optional?: boolean;
  /** Exact length in bytes (text: UTF-8 bytes). */
  len?: number;
  /** Maximum length in bytes (text: UTF-8 bytes), or maximum integer value. */
  max?: number;
}

/**
 * Reads the fields of one decoded CBOR map, one guard per field. The first problem
 * is remembered and `done` turns it into a status; every key must be read, so an
 * unknown key is refused too (untrusted input is decoded once, at the edge).
 */
export class Fields {
  // Not named `map`: an own property of that name would shadow the map() reader below.
  private readonly source: CborMap;
  private readonly seen: number[] = [];
  private problem: string | null = null;
  private problemStatus: StatusCode = Status.MALFORMED;

  constructor(map: CborMap, alreadyRead?: number[]) {
    this.source = map;
    if (alreadyRead) for (let i = 0; i < alreadyRead.length; i++) this.seen.push(alreadyRead[i]);
  }

  private take(key: number, opts: FieldOptions | undefined): CborValue | undefined {
    this.seen.push(key);
    const present = this.source.has(key);
    if (!present) {
      if (!(opts && opts.optional)) this.refuse('missing key ' + key);
      return undefined;
    }
    return this.source.get(key);
  }

  refuse(why: string, status?: StatusCode): void {
    if (this.problem === null) {
      this.problem = why;
      if (status !== undefined) this.problemStatus = status;
    }
  }

  uint(key: number, opts: FieldOptions & { optional: true }): number | undefined;
  uint(key: number, opts?: FieldOptions): number;
  uint(key: number, opts?: FieldOptions): number | undefined {
    const v = this.take(key, opts);
    if (v === undefined) return opts && opts.optional ? undefined : 0;
    if (typeof v !== 'number' || v < 0 || Math.floor(v) !== v) {
      this.refuse('key ' + key + ': expected unsigned integer');
      return 0;
    }
    if (opts && opts.max !== undefined && v > opts.max) this.refuse('key ' + key + ': above ' + opts.max);
    return v;
  }

  bytes(key: number, opts: FieldOptions & { optional: true }): Uint8Array | undefined;
  bytes(key: number, opts?: FieldOptions): Uint8Array;
  bytes(key: number, opts?: FieldOptions): Uint8Array | undefined {
    const v = this.take(key, opts);
    if (v === undefined) return opts && opts.optional ? undefined : new Uint8Array(0);
    if (!(v instanceof Uint8Array)) {
      this.refuse('key ' + key + ': expected byte string');
      return new Uint8Array(0);
    }
    this.checkLength(key, v.length, opts);
    return v;
  }

  text(key: number, opts: FieldOptions & { optional: true }): string | undefined;
  text(key: number, opts?: FieldOptions): string;
  text(key: number, opts?: FieldOptions): string | undefined {
    const v = this.take(key, opts);
    if (v === undefined) return opts && opts.optional ? undefined : '';
    if (typeof v !== 'string') {
      this.refuse('key ' + key + ': expected text string');
      return '';
    }
    // Text limits count UTF-8 bytes (the CBOR tstr length), not UTF-16 units: with units,
    // a challenge of 3-byte characters passed and its token outgrew MAX_TOKEN_BYTES.
    this.checkLength(key, utf8Length(v), opts);
    return v;
  }

  bool(key: number, opts: FieldOptions & { optional: true }): boolean | undefined;
  bool(key: number, opts?: FieldOptions): boolean;
  bool(key: number, opts?: FieldOptions): boolean | undefined {
    const v = this.take(key, opts);
    if (v === undefined) return opts && opts.optional ? undefined : false;
    if (typeof v !== 'boolean') {
      this.refuse('key ' + key + ': expected boolean');
      return false;
    }
    return v;
  }

  /** A status code (one byte, a known code): a field of KEEPALIVE, ERROR and the sealed bodies. */
  status(key: number): StatusCode {
    const code = this.uint(key, { max: 0xff });
    if (!isStatusCode(code)) this.refuse('key ' + key + ': not a status code');
    return code as StatusCode;
  }

  map(key: number, opts?: FieldOptions): CborMap {
    const v = this.take(key, opts);
    if (v === undefined) return new CborMap();
    if (!(v instanceof CborMap)) {
      this.refuse('key ' + key + ': expected map');
      return new CborMap();
    }
    return v;
  }

  private checkLength(key: number, length: number, opts: FieldOptions | undefined): void {
    if (!opts) return;
    if (opts.len !== undefined && length !== opts.len)
      this.refuse('key ' + key + ': length ' + length + ', expected ' + opts.len);
    if (opts.max !== undefined && length > opts.max) this.refuse('key ' + key + ': longer than ' + opts.max);
  }

  /** The value, or the first problem as a status; refuses keys that were never read. */
  done<T>(value: T): Result<T> {
    if (this.problem === null) {
      for (let i = 0; i < this.source.keys.length; i++) {
        const k = this.source.keys[i];
        if (typeof k !== 'number' || this.seen.indexOf(k) < 0) {
          this.refuse('unknown key ' + String(k));
          break;
        }
      }
    }
    if (this.problem !== null) return fail(this.problemStatus, this.problem);
    return ok(value);
  }
}
