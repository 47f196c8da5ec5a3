import type { ChallengeKindName } from '../store.ts';

/** What the bridge gets: an id to post the answer under and the CHALLENGE message to write to the band. */
export interface IssuedChallenge {
  challengeId: string;
  kind: ChallengeKindName;
  message: Uint8Array;
  expiresAt: number;
}
