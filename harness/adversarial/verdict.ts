/**
 * How a case of the hostile relay's campaign ends, one of three verdicts:
 *
 *  - `refused`: the attacked message was refused by whoever received it, or lost (a drop);
 *    the relay's honest retry then pays the trade once;
 *  - `absorbed`: it was taken, and the outcome is the honest one (a duplicate HELLO: two
 *    challenges, one payment; a late RESULT: the band shows the true outcome);
 *  - `accepted`: it was taken and the outcome differs from the honest one — a trade
 *    charged twice, charged another amount or to another band, paid while it should not
 *    be, a counter reused, a band showing a wrong result. Must never happen.
 */
export type Verdict = 'refused' | 'absorbed' | 'accepted';

/** A case's verdict, optionally with the status that refused it (for the reasons table). */
export type CaseOutcome = Verdict | { verdict: Verdict; why: string };
