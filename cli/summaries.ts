/**
 * Each command group's one-line summary, kept apart from the groups' own files so that
 * `wristpay --help` can list every group without loading any of them (cli/groups.ts).
 */
export const GROUP_SUMMARY = {
  sim: 'Run and drive the band simulator (flash, start, wear, press, charge, status, reboot).',
  checkout: 'Run the Alipay-style checkout service.',
  demo: 'Tell the whole story with a simulated band: enroll, cards, wear, unlock, pay, transit, remove, password, button, revoke, wipe.',
  bridge:
    'Merchant and owner commands over a BLE bridge (pair, charge, refund, terminals, sales, refunds, enroll, unlock, cards, revoke, status, identity).',
  catalogue: 'List the banks (card add --issuer ID) and transit cities (card add --city ID) with their ids.',
  doctor:
    'Check what wristpay needs (Node, test tools, simulator state, band image, checkout, paired terminal) and say what to fix.',
} as const;
