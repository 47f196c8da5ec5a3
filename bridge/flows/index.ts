/** The bridge's flows, for the CLI and the demo: one import. */
export { addCard, listCards, removeCard } from './cards.ts';
export type { CardRequest } from './cards.ts';
export { charge, receiptOf } from './charge.ts';
export type { ChargeOptions, ChargeReceipt, ChargeRequest, ChargeResult, ChargeStep } from './charge.ts';
export { payWithPassword, queryTrade, refund } from './merchant.ts';
export type { RefundOptions, RefundResult } from './merchant.ts';
export { attempt, ok, refusal, refusalOf } from './outcome.ts';
export type { Outcome, Refusal, RefusalKind, Stage, WipeReport } from './outcome.ts';
export { enrollBand, revoke, unlockBand } from './owner.ts';
export type { EnrolledBand, Unlocked } from './owner.ts';
export { pairTerminal, parsePairingText, terminalClient } from './pair.ts';
export type { PairOptions, TerminalIdentity } from './pair.ts';
export { deliverQueuedWipe, readHello, relayChallenge, showResult } from './relay-challenge.ts';
export type { RelayOptions, Relayed } from './relay-challenge.ts';
export { status } from './status.ts';
export { listTerminals, renameTerminal, unpairTerminal } from './terminals.ts';
export type { BandStatusReport, StatusReport } from './status.ts';
export { resolveBandId } from './band-id.ts';
