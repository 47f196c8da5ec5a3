/**
 * Boot: open the journal on the HAL's flash, then start the band. Used by the image's
 * entry (main.ts) and, in-process, by tests and benchmarks.
 */
import { toHex } from '../shared/crypto/bytes.ts';
import { WearState } from '../shared/protocol/constants.ts';
import { type BandConfig, withDefaults } from './config.ts';
import { Band } from './core/band.ts';
import { openRecordStore } from './core/journal-records.ts';
import type { Hal } from './hal.ts';

export interface BootedBand {
  band: Band;
  /** A JSON-friendly snapshot for the simulator's status and UI. */
  status(): BandStatus;
}

export interface BandStatus {
  state: 'off-wrist' | 'worn-locked' | 'worn-unlocked' | 'charging';
  enrolled: boolean;
  deviceId: string | null;
  awaitingConfirmation: boolean;
  cards: Array<{
    kind: string;
    cardRef: string;
    issuer: string;
    last4: string;
    counter: number;
    isDefault?: boolean;
    city?: string;
    balance?: number;
  }>;
  dayTotal: { day: number; total: number };
  signatures: number;
  refusals: number;
  lastStatus: number;
  storage: number;
}

const stateNames: BandStatus['state'][] = ['off-wrist', 'worn-locked', 'worn-unlocked', 'charging'];

export function bootBand(hal: Hal, overrides?: Partial<BandConfig>): BootedBand {
  const config = withDefaults(overrides);
  const records = openRecordStore(hal.flash, hal.log);
  const band = new Band(hal, records.store, config);
  if (records.status !== 0) band.storageStatus = records.status;
  return {
    band,
    status: () => {
      const cards: BandStatus['cards'] = [];
      for (let i = 0; i < band.wallet.entries.length; i++) {
        const e = band.wallet.entries[i];
        const c = e.card;
        if (c.kind === 'bank')
          cards.push({
            kind: c.kind,
            cardRef: c.cardRef,
            issuer: c.issuer,
            last4: c.last4,
            counter: e.counter,
            isDefault: c.isDefault,
          });
        else
          cards.push({
            kind: c.kind,
            cardRef: c.cardRef,
            issuer: c.issuer,
            last4: c.last4,
            counter: e.counter,
            city: c.city,
            balance: c.balance,
          });
      }
      const e = band.enrollment;
      return {
        state: stateNames[band.session.current()] || stateNames[WearState.OFF_WRIST],
        enrolled: e !== null,
        deviceId: e === null ? null : toHex(e.deviceId),
        awaitingConfirmation: band.pending !== null,
        cards,
        dayTotal: { day: band.wallet.dayTotal.day, total: band.wallet.dayTotal.total },
        signatures: band.stats.signatures,
        refusals: band.stats.refusals,
        lastStatus: band.stats.lastStatus,
        storage: band.storageStatus,
      };
    },
  };
}
