/**
 * The wear session: off-wrist → worn-locked → worn-unlocked (DESIGN.md, "Wear session").
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
import { WearState, WearStateCode } from '../../shared/protocol/constants.ts';
import { Status, StatusCode } from '../../shared/status/codes.ts';
import { BandConfig } from '../config.ts';
import { Clock, Random } from '../hal.ts';

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

export class WearSession {
  private state: WearStateCode = WearState.OFF_WRIST;
  private nonce: Uint8Array | null = null;
  private removalTimer = -1;
  private expiryTimer = -1;
  private unlockedUntil = 0;
  private failures = 0;
  private backoffUntil = 0;
  private limits: Limits;
  private readonly listeners: Array<(state: WearStateCode) => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly config: BandConfig,
  ) {
    this.limits = { perPayment: config.defaultLimitPerPayment, perDay: config.defaultLimitPerDay };
  }

  /** Called at boot with the sensor's and charger's current readings: a reboot starts locked. */
  start(onSkin: boolean, charging: boolean): void {
    if (charging) this.enter(WearState.CHARGING);
    else if (onSkin) this.putOn();
  }

  onChange(fn: (state: WearStateCode) => void): void {
    this.listeners.push(fn);
  }

  current(): WearStateCode {
    this.checkExpiry();
    return this.state;
  }

  isWorn(): boolean {
    const s = this.current();
    return s === WearState.WORN_LOCKED || s === WearState.WORN_UNLOCKED;
  }

  isUnlocked(): boolean {
    return this.current() === WearState.WORN_UNLOCKED;
  }

  /** The nonce an unlock grant must answer, while worn. */
  unlockNonce(): Uint8Array | null {
    return this.isWorn() ? this.nonce : null;
  }

  currentLimits(): Limits {
    return this.limits;
  }

  /** One raw wear-sensor sample. */
  sample(onSkin: boolean): void {
    if (this.state === WearState.CHARGING) return;
    if (onSkin) {
      this.cancelRemoval();
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
      this.cancelRemoval();
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
      this.checkExpiry();
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

  /** Destroys the session now (remote wipe). */
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

  private checkExpiry(): void {
    if (this.state === WearState.WORN_UNLOCKED && this.clock.monotonicMs() >= this.unlockedUntil) {
      this.cancelExpiry();
      this.nonce = this.random.bytes(16);
      this.enter(WearState.WORN_LOCKED);
    }
  }

  private cancelRemoval(): void {
    if (this.removalTimer >= 0) this.clock.cancelTimer(this.removalTimer);
    this.removalTimer = -1;
  }

  private cancelExpiry(): void {
    if (this.expiryTimer >= 0) this.clock.cancelTimer(this.expiryTimer);
    this.expiryTimer = -1;
  }

  private enter(next: WearStateCode): void {
    if (next === this.state) return;
    this.state = next;
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i](next);
  }
}
