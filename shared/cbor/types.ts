/**
 * The CBOR data model used across wristpay (RFC 8949 §2), chosen to run on ES5
 * engines: no Map, no BigInt, no Symbol. Byte strings are Uint8Array.
 *
 * Maps keep their entries as parallel arrays so that integer keys (the protocol's
 * keys, RFC 8949 §5.6) and text keys (Appendix A examples) both survive a round trip.
 */
export type CborKey = number | string;

export type CborValue =
  | number
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | CborMap
  | CborTag
  | CborSimple;

export class CborMap {
  readonly keys: CborKey[];
  readonly values: CborValue[];
  constructor(keys?: CborKey[], values?: CborValue[]) {
    this.keys = keys || [];
    this.values = values || [];
  }
  /** The value under `key` (strict equality, so 1 and "1" differ), or undefined. */
  get(key: CborKey): CborValue {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) return this.values[i];
    return undefined;
  }
  has(key: CborKey): boolean {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) return true;
    return false;
  }
  /** Adds or replaces; keeps insertion order (encoders sort for deterministic output). */
  set(key: CborKey, value: CborValue): CborMap {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] === key) {
        this.values[i] = value;
        return this;
      }
    }
    this.keys.push(key);
    this.values.push(value);
    return this;
  }
  get size(): number {
    return this.keys.length;
  }
}

/** A tagged item (major type 6), e.g. COSE_Sign1's tag 18. */
export class CborTag {
  readonly tag: number;
  readonly value: CborValue;
  constructor(tag: number, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/** A simple value other than false/true/null/undefined (major type 7, values 0–19, 32–255). */
export class CborSimple {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Build a map from [key, value] pairs: `cborMap([1, 'a'], [2, bytes])`. */
export function cborMap(...entries: Array<[CborKey, CborValue]>): CborMap {
  const m = new CborMap();
  for (let i = 0; i < entries.length; i++) m.set(entries[i][0], entries[i][1]);
  return m;
}
