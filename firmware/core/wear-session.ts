/**
 * The wear session: off-wrist → worn-locked → worn-unlocked (docs/FIRMWARE.md, "States").
 *
 * - A removal is confirmed only after raw off-skin samples persist for the debounce
 *   window; a confirmed removal, charging or a reboot (a fresh instance) destroys the
 *   session at once.
 * - Each continuous wear gets a fresh random nonce; an unlock grant must answer the
 *   nonce of the current wear, so a grant made for an earlier wear is worthless.
 * - A session expires after its maximum age; repeated failed grants back off
 *   exponentially.
 */
import { constantTimeEqual } from '../../shared/crypto/bytes.ts';
import { WearState, type WearStateCode } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { BandConfig } from '../config.ts';
import type { Clock, Random } from '../hal.ts';

export interface Limits {
  perPayment: number;
  perDay: number;
}

export interface GrantTerms {
  bandNonce: Uint8Array;
  sessionMaxAgeMs: number;
  limitPerPayment: number;
  limitPerDay: number;
}

/** Told of every state change (the band: it ends a pending confirmation, redraws idle). */
export interface WearListener {
  onWearChange(state: WearStateCode): void;
}

export class WearSession {
  private state: WearStateCode = WearState.OFF_WRIST;
  /**
   * The nonce an unlock grant must answer: set while worn (a fresh one per wear and after
   * each unlock), null off-wrist or charging. Read it after `current()`, which may relock.
   */
  nonce: Uint8Array | null = null;
  private removalTimer = -1;
  private expiryTimer = -1;
  private unlockedUntil = 0;
  private failures = 0;
  private backoffUntil = 0;
  /** The password-free limits: the config's defaults until an unlock grant sets the account's. */
  limits: Limits;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly config: BandConfig,
    private readonly listener: WearListener,
  ) {
    this.limits = { perPayment: config.defaultLimitPerPayment, perDay: config.defaultLimitPerDay };
  }

  /** Called at boot with the sensor's and charger's current readings: a reboot starts locked. */
  start(onSkin: boolean, charging: boolean): void {
    if (charging) this.enter(WearState.CHARGING);
    else if (onSkin) this.putOn();
  }

  /** The state now: an unlocked session past its maximum age is locked first. */
  current(): WearStateCode {
    if (this.state === WearState.WORN_UNLOCKED && this.clock.monotonicMs() >= this.unlockedUntil) this.lock();
    return this.state;
  }

  /** One raw wear-sensor sample. */
  sample(onSkin: boolean): void {
    if (this.state === WearState.CHARGING) return;
    if (onSkin) {
      // An on-skin sample inside the debounce window cancels the removal.
      if (this.removalTimer >= 0) this.clock.cancelTimer(this.removalTimer);
      this.removalTimer = -1;
      if (this.state === WearState.OFF_WRIST) this.putOn();
      return;
    }
    if (this.state === WearState.OFF_WRIST || this.removalTimer >= 0) return;
    this.removalTimer = this.clock.setTimer(this.config.removalDebounceMs, () => {
      this.removalTimer = -1;
      this.destroy(WearState.OFF_WRIST);
    });
  }

  /** Charger contact: charging ends any session at once; unplugging re-reads the sensor. */
  charging(on: boolean, onSkinNow: boolean): void {
    if (on) {
      if (this.removalTimer >= 0) this.clock.cancelTimer(this.removalTimer);
      this.removalTimer = -1;
      this.destroy(WearState.CHARGING);
      return;
    }
    if (this.state !== WearState.CHARGING) return;
    this.enter(WearState.OFF_WRIST);
    if (onSkinNow) this.putOn();
  }

  /**
   * Applies a checkout-signed unlock grant (its signature, device, expiry and nonce
   * freshness were checked by the caller). Guards, in order: back-off, worn, nonce.
   */
  unlock(grant: GrantTerms): StatusCode {
    const now = this.clock.monotonicMs();
    if (now < this.backoffUntil) return Status.BACKOFF;
    const s = this.current();
    if (s === WearState.CHARGING) return Status.CHARGING;
    if (s === WearState.OFF_WRIST || this.nonce === null) return Status.NOT_WORN;
    if (!constantTimeEqual(grant.bandNonce, this.nonce)) {
      this.recordFailure();
      return Status.EXPIRED;
    }
    this.failures = 0;
    const maxAge = Math.min(grant.sessionMaxAgeMs, this.config.sessionMaxAgeMs);
    this.unlockedUntil = now + maxAge;
    this.limits = { perPayment: grant.limitPerPayment, perDay: grant.limitPerDay };
    // The nonce is spent: the same grant can never unlock this wear again.
    this.nonce = this.random.bytes(16);
    this.cancelExpiry();
    this.expiryTimer = this.clock.setTimer(maxAge, () => {
      this.expiryTimer = -1;
      this.current(); // locks: the session reached its maximum age
    });
    this.enter(WearState.WORN_UNLOCKED);
    return Status.OK;
  }

  /** A grant that failed before reaching `unlock` (bad signature, wrong device) still counts. */
  recordFailure(): void {
    this.failures++;
    if (this.failures < this.config.unlockFailuresBeforeBackoff) return;
    const exp = this.failures - this.config.unlockFailuresBeforeBackoff;
    const wait = Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * Math.pow(2, Math.min(exp, 20)));
    this.backoffUntil = this.clock.monotonicMs() + wait;
  }

  /** Ends an unlocked session now (remote wipe, or its maximum age reached); the band stays worn. */
  lock(): void {
    if (this.state === WearState.WORN_UNLOCKED) {
      this.cancelExpiry();
      this.nonce = this.random.bytes(16);
      this.enter(WearState.WORN_LOCKED);
    }
  }

  private putOn(): void {
    this.nonce = this.random.bytes(16);
    this.enter(WearState.WORN_LOCKED);
  }

  private destroy(next: WearStateCode): void {
    this.cancelExpiry();
    this.nonce = null;
    this.unlockedUntil = 0;
    this.enter(next);
  }

  private cancelExpiry(): void {
    if (this.expiryTimer >= 0) this.clock.cancelTimer(this.expiryTimer);
    this.expiryTimer = -1;
  }

  private enter(next: WearStateCode): void {
    if (next === this.state) return;
    this.state = next;
    this.listener.onWearChange(next);
  }
}
