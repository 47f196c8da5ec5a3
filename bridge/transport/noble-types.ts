/**
 * The slice of noble's object model the bridge uses, typed structurally so that both
 * ways of obtaining noble (the default HCI instance and `with-bindings` over the
 * websocket bindings) fit, and so that the bridge never imports noble at load time.
 */
import type { EventEmitter } from 'node:events';

export interface NobleCharacteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  read(cb: (err: unknown, data: Buffer) => void): void;
  write(data: Buffer, withoutResponse: boolean, cb: (err?: unknown) => void): void;
  subscribe(cb: (err?: unknown) => void): void;
}

export interface NobleService {
  uuid: string;
}

export interface NoblePeripheral extends EventEmitter {
  id: string;
  address: string;
  rssi: number;
  mtu: number | null;
  state: string;
  advertisement: { localName?: string; serviceUuids?: string[] };
  connect(cb: (err?: unknown) => void): void;
  disconnect(cb?: () => void): void;
  discoverSomeServicesAndCharacteristics(
    serviceUuids: string[],
    characteristicUuids: string[],
    cb: (err: unknown, services: NobleService[] | null, characteristics: NobleCharacteristic[] | null) => void,
  ): void;
}

export interface Noble extends EventEmitter {
  /** Reading it initialises the bindings (noble's lazy init). */
  readonly state: string;
  startScanning(serviceUuids: string[], allowDuplicates: boolean, cb?: (err?: unknown) => void): void;
  stopScanning(cb?: () => void): void;
}

/** noble's UUID form: lower-case hex, no dashes. */
export function nobleUuid(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}
