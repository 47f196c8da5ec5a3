/**
 * Where the checkout's promotions come from: the file an operator names (`checkout start
 * --promotions FILE`), else the one shipped beside this module (checkout/promotions.json,
 * compiled into dist/lib with it). Either is checked whole before the checkout starts
 * (core/promotion-file.ts): a bad entry stops the start with a message naming it.
 */
import { readFileSync } from 'node:fs';
import { type Promotion, checkPromotions, parsePromotionFile } from './core/promotion-file.ts';
import shipped from './promotions.json' with { type: 'json' };

export function loadPromotions(file?: string): Promotion[] {
  if (file === undefined) return checkPromotions(shipped, 'checkout/promotions.json');
  return parsePromotionFile(readFileSync(file, 'utf8'), file);
}
