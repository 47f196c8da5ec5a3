/**
 * `wristpay bridge rewards`: the owner's points per card (from the banks' points promotions)
 * and what promotions did to their payments: list amount, discount, charged, points, and what
 * refunds have taken back (docs/CHECKOUT.md, "Promotions"). No radio needed.
 */
import type { Command } from 'commander';
import type { Api } from '../checkout/api/client.ts';
import { attempt } from '../bridge/flows/outcome.ts';
import { formatAmount } from './amount.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerOptions, common, login, owner, readConfig } from './command-kit.ts';

export function rewardsText(r: Api.RewardsView): string {
  const cards = r.balances.length
    ? r.balances.map((b) => `  ${b.issuer} ••••${b.last4}  ${b.points} points`)
    : ['  no points yet'];
  const uses = r.uses.map((u) => {
    const back =
      u.discountReversed > 0 || u.pointsReversed > 0
        ? `  (refunded: ${formatAmount(u.discountReversed, u.currency)} off, ${u.pointsReversed} points back)`
        : '';
    return `  ${new Date(u.paidAt).toISOString()}  ${u.label ?? 'points'}: list ${formatAmount(u.listAmount, u.currency)}, ${formatAmount(u.discount, u.currency)} off, charged ${formatAmount(u.charged, u.currency)}, +${u.points} points${back}`;
  });
  return ['Rewards', ...cards, ...(uses.length ? ['Promotions applied', ...uses] : [])].join('\n');
}

export function registerRewards(group: Command, io: CliIo, setExit: SetExit): void {
  owner(common(group.command('rewards')))
    .description('Your points per card, and the discounts promotions gave your payments.')
    .action(async (o: OwnerOptions) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      try {
        const r = await attempt('checkout', () => who.client.rewards());
        if (!r.ok) return out.refuse(r);
        out.success({ rewards: r.value }, rewardsText(r.value));
      } finally {
        await who.logout();
      }
    });
}
