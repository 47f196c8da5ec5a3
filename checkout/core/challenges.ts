/**
 * Issuing challenges (every kind) and sealing results.
 *
 * A challenge is a COSE_Sign1 by the checkout signing key the band holds (protected {1: -7}: no kid, the band pins one key)
 * over the challenge body, HPKE-sealed to the band's key with info "wristpay/1 challenge".
 * The two secrets exported from that HPKE context (answer, result) are stored with the
 * challenge, so its answer can be opened and its result sealed by any instance, after a
 * restart too, without keeping HPKE state in memory.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap, cborMap } from '../../shared/cbor/types.ts';
import { ES256, Header, encodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import {
  type ChallengeBody,
  encodeChallengeBody,
  encodeMessage,
  encodeResultBody,
} from '../../shared/messages/index.ts';
import { Size } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { BandRow, ChallengeRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { sealResponse, sealToBand } from './envelope.ts';
import { refuse } from './errors.ts';
import { newId } from './ids.ts';
import { reloadKeysOnMiss } from './key-reload.ts';
import { ringKey } from './keys.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import { deviceIdBytes } from './band-identity.ts';

/** The kind-specific part of a body; device, nonce and expiry are filled in here. */
type Specific<K extends ChallengeBody['kind']> = Omit<
  Extract<ChallengeBody, { kind: K }>,
  'deviceId' | 'nonce' | 'expiry'
>;
export type ChallengeSpec = { [K in ChallengeBody['kind']]: Specific<K> }[ChallengeBody['kind']];

export interface ChallengeLinks {
  tradeNo?: string;
  terminalId?: string;
  cardRef?: string;
  express?: boolean;
  /** A payment's promotion terms per card (JSON, offers.ts), kept for its answer. */
  terms?: string;
}

export async function issueChallenge(
  ctx: Ctx,
  band: BandRow,
  spec: ChallengeSpec,
  links: ChallengeLinks,
): Promise<IssuedChallenge> {
  const { provider, keys, clock, config, store } = ctx;
  const now = clock();
  // The body's expiry is in whole seconds (CWT NumericDate), rounded down so a challenge never
  // outlives the configured TTL; the row keeps the same instant in ms, so band and checkout agree.
  const expiry = Math.floor((now + config.challengeTtlMs) / 1000);
  const expiresAt = expiry * 1000;
  const nonce = provider.randomBytes(Size.NONCE);
  const body = { ...spec, deviceId: deviceIdBytes(band.deviceId), nonce, expiry } as ChallengeBody;
  const payload = encodeChallengeBody(body, encodeCborHost);
  const protectedBytes = encodeCborHost(cborMap([Header.ALG, ES256]));
  // Signed with the ring key the band holds: during a rotation's overlap, the previous one.
  let key = ringKey(keys, band.checkoutKey);
  // A band moved by another instance after a rotation this one has not read yet (key-reload.ts).
  if (!key && (await reloadKeysOnMiss(ctx))) key = ringKey(ctx.keys, band.checkoutKey);
  if (!key)
    refuse(
      Status.INVALID_KEY,
      `the band holds checkout key ${band.checkoutKey}, which is retired: the checkout can no longer reach it`,
    );
  const signature = provider.p256Sign(key.signing, sigStructure(protectedBytes, new Uint8Array(0), payload));
  const signed = encodeSign1(protectedBytes, new CborMap(), payload, signature, true);
  const sealed = sealToBand(provider, band.hpkeKey, signed);
  const row: ChallengeRow = {
    id: newId(provider, 'ch'),
    deviceId: band.deviceId,
    kind: spec.kind,
    nonce,
    expiresAt,
    tradeNo: links.tradeNo ?? null,
    terminalId: links.terminalId ?? null,
    cardRef: links.cardRef ?? null,
    express: links.express === true,
    enc: sealed.enc,
    answerSecret: sealed.answerSecret,
    resultSecret: sealed.resultSecret,
    createdAt: now,
    answeredAt: null,
    outcome: null,
    terms: links.terms ?? null,
  };
  const made = await store.challenges.create(row, config.maxOpenChallengesPerBand);
  if (!made.ok) refuse(made.status, made.detail);
  return {
    challengeId: row.id,
    kind: row.kind,
    expiresAt,
    message: encodeMessage({ type: 'challenge', enc: sealed.enc, ct: sealed.ct }, encodeCborHost),
  };
}

/** The RESULT message for a challenge's band: the status alone (the band words its display line itself). */
export function resultMessage(ctx: Ctx, challenge: ChallengeRow, status: StatusCode): Uint8Array {
  const body = encodeResultBody({ status }, encodeCborHost);
  const sealed = sealResponse(ctx.provider, challenge.enc, challenge.resultSecret, body);
  return encodeMessage({ type: 'result', sealed }, encodeCborHost);
}
