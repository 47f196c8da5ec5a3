/** The bridge's flows, for the CLI and the demo: one import. */
export { addCard, listCards, removeCard, setDefaultCard } from './cards.ts';
export { charge } from './charge.ts';
export { findBand } from './find.ts';
export type { ChargeResult } from './charge.ts';
export { payWithPassword, refund } from './merchant.ts';
export type { Outcome, Refusal } from './outcome.ts';
export { enrollBand, revoke, unlockBand } from './owner.ts';
export { pairTerminal, terminalClient } from './pair.ts';
export { readHello } from './relay-challenge.ts';
export { status } from './status.ts';
