/**
 * Merchants and their terminals. A merchant's dashboard mints a one-time pairing code;
 * the terminal (bridge) presents it once together with its own ES256 public key and from
 * then on signs every request (terminal-auth.ts). The code is the only secret that ever
 * travels; the terminal's private key never leaves it.
 */
import { Status } from '../../shared/status/codes.ts';
import type { PairingCodeRow, TerminalRow } from '../store.ts';
import { type SignedRequestParts, checkTerminalSignature } from '../api/terminal-auth.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { insertWithFreshId, newPairingCode } from './ids.ts';
import type { TerminalView } from '../api/views.ts';

export type { TerminalView };

/** What a terminal may be called: 1 to 64 characters, no control characters (they end up in pages and logs). */
export function checkTerminalName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 64) refuse(Status.MALFORMED, 'name: 1 to 64 characters');
  if (/\p{Cc}/u.test(trimmed)) refuse(Status.MALFORMED, 'name: no control characters');
  return trimmed;
}

export class Merchants {
  constructor(private readonly ctx: Ctx) {}

  async createPairingCode(merchantId: string): Promise<PairingCodeRow> {
    const { clock, config, provider, store } = this.ctx;
    const row: PairingCodeRow = {
      code: newPairingCode(provider),
      merchantId,
      expiresAt: clock() + config.pairingCodeTtlMs,
      usedAt: null,
    };
    await store.merchants.createPairingCode(row);
    return row;
  }

  async currentPairingCode(merchantId: string): Promise<PairingCodeRow | undefined> {
    return this.ctx.store.merchants.latestPairingCode(merchantId, this.ctx.clock());
  }

  async pair(code: string, publicKey: Uint8Array, name: string): Promise<TerminalView> {
    const { clock, provider, store } = this.ctx;
    if (name.length > 64) refuse(Status.MALFORMED, 'name: at most 64 characters');
    // The key is checked before the code is spent, so a typo in the key does not burn it.
    if (!provider.p256IsValidPublic(publicKey))
      refuse(Status.INVALID_KEY, 'publicKey is not an uncompressed P-256 point on the curve');
    const taken = await store.merchants.takePairingCode(code.trim().toUpperCase(), clock());
    if (!taken) refuse(Status.UNAUTHORIZED, 'pairing code unknown, used or expired');
    const row: Omit<TerminalRow, 'id'> = {
      merchantId: taken.merchantId,
      name: name || 'terminal',
      publicKey,
      createdAt: clock(),
      unpairedAt: null,
      suspendedAt: null,
    };
    // The terminal id travels on the air (8 characters): a taken one is retried with a fresh one.
    const made = await insertWithFreshId(provider, 't', (id) => store.merchants.createTerminal({ id, ...row }));
    if (!made.ok) refuse(made.status, made.detail);
    return this.view(made.value);
  }

  async view(t: TerminalRow): Promise<TerminalView> {
    const merchant = await this.ctx.store.accounts.byId(t.merchantId);
    return {
      terminalId: t.id,
      merchantId: t.merchantId,
      merchantName: merchant ? merchant.displayName : '',
      name: t.name,
      createdAt: t.createdAt,
      state: t.unpairedAt === null ? 'active' : 'unpaired',
      unpairedAt: t.unpairedAt,
      suspendedAt: t.suspendedAt,
    };
  }

  async terminals(merchantId: string): Promise<TerminalView[]> {
    const rows = await this.ctx.store.merchants.terminals(merchantId);
    return Promise.all(rows.map((t) => this.view(t)));
  }

  /**
   * Unpairs one of the merchant's terminals, for good: its next signed request, and any
   * payment or refund it has in flight, is refused with TERMINAL_UNPAIRED. Another
   * merchant's terminal is NOT_FOUND, as an unknown one is (no existence leak).
   */
  async unpair(merchantId: string, terminalId: string): Promise<TerminalView> {
    const t = await this.ctx.store.merchants.unpairTerminal(terminalId, merchantId, this.ctx.clock());
    if (!t) refuse(Status.NOT_FOUND, `no terminal ${terminalId} for this merchant`);
    return this.view(t);
  }

  async rename(merchantId: string, terminalId: string, name: string): Promise<TerminalView> {
    const t = await this.ctx.store.merchants.renameTerminal(terminalId, merchantId, checkTerminalName(name));
    if (!t) refuse(Status.NOT_FOUND, `no terminal ${terminalId} for this merchant`);
    return this.view(t);
  }

  /**
   * The terminal behind a signed request; UNAUTHORIZED for anything missing, stale or forged,
   * then TERMINAL_UNPAIRED for a correctly signed request from an unpaired terminal (only its
   * key holder learns that it was unpaired).
   */
  async authenticate(
    parts: Partial<SignedRequestParts>,
    method: string,
    path: string,
    body: Uint8Array,
  ): Promise<TerminalRow> {
    const { clock, config, provider, store } = this.ctx;
    if (!parts.terminalId || !parts.timestamp || !parts.signature)
      refuse(Status.UNAUTHORIZED, 'terminal signature headers missing');
    const terminal = await store.merchants.terminal(parts.terminalId);
    if (!terminal) refuse(Status.UNAUTHORIZED, 'unknown terminal');
    const why = checkTerminalSignature(
      provider,
      terminal.publicKey,
      parts as SignedRequestParts,
      method,
      path,
      body,
      clock(),
      config.terminalSkewMs,
    );
    if (why !== null) refuse(Status.UNAUTHORIZED, why);
    if (terminal.unpairedAt !== null) {
      refuse(
        Status.TERMINAL_UNPAIRED,
        `this terminal was unpaired by its merchant at ${new Date(terminal.unpairedAt).toISOString()}; pair again with a new code`,
      );
    }
    // After the signature: only the terminal itself learns that it is suspended.
    if (terminal.suspendedAt !== null)
      refuse(
        Status.TERMINAL_SUSPENDED,
        'this terminal is suspended after wrong payment passwords for several payers; its merchant can lift that on /merchant',
      );
    return terminal;
  }

  /** The merchant vouches for its till again: lifts the suspension and forgets its failed payment passwords. */
  async liftSuspension(merchantId: string, terminalId: string): Promise<TerminalView> {
    const { store } = this.ctx;
    const t = await store.merchants.terminal(terminalId);
    if (!t || t.merchantId !== merchantId) refuse(Status.NOT_FOUND, 'no such terminal of yours');
    if (!(await store.attempts.liftSuspension(terminalId))) refuse(Status.CONFLICT, 'that terminal is not suspended');
    return this.view({ ...t, suspendedAt: null });
  }
}
