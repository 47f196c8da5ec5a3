/**
 * What a wearer can add to a band: 20 bank issuers and 6 transit cities. Names are at
 * most 32 characters because the band shows them (docs/PROTOCOL.md card map key 3).
 */
export interface Issuer {
  id: string;
  name: string;
  country: string;
  currency: string;
}
export interface TransitCity {
  id: string;
  city: string;
  card: string;
  currency: string;
  fareCap: number;
  defaultBalance: number;
}

export const issuers: readonly Issuer[] = [
  { id: 'icbc', name: 'ICBC', country: 'CN', currency: 'CNY' },
  { id: 'ccb', name: 'China Construction Bank', country: 'CN', currency: 'CNY' },
  { id: 'abc', name: 'Agricultural Bank of China', country: 'CN', currency: 'CNY' },
  { id: 'boc', name: 'Bank of China', country: 'CN', currency: 'CNY' },
  { id: 'bocom', name: 'Bank of Communications', country: 'CN', currency: 'CNY' },
  { id: 'cmb', name: 'China Merchants Bank', country: 'CN', currency: 'CNY' },
  { id: 'spdb', name: 'SPD Bank', country: 'CN', currency: 'CNY' },
  { id: 'citic', name: 'China CITIC Bank', country: 'CN', currency: 'CNY' },
  { id: 'cib', name: 'Industrial Bank', country: 'CN', currency: 'CNY' },
  { id: 'cmbc', name: 'China Minsheng Bank', country: 'CN', currency: 'CNY' },
  { id: 'ceb', name: 'China Everbright Bank', country: 'CN', currency: 'CNY' },
  { id: 'pingan', name: 'Ping An Bank', country: 'CN', currency: 'CNY' },
  { id: 'psbc', name: 'Postal Savings Bank of China', country: 'CN', currency: 'CNY' },
  { id: 'hsbc-hk', name: 'HSBC Hong Kong', country: 'HK', currency: 'HKD' },
  { id: 'bochk', name: 'Bank of China (Hong Kong)', country: 'HK', currency: 'HKD' },
  { id: 'hangseng', name: 'Hang Seng Bank', country: 'HK', currency: 'HKD' },
  { id: 'scb', name: 'Standard Chartered', country: 'GB', currency: 'GBP' },
  { id: 'citi', name: 'Citibank', country: 'US', currency: 'USD' },
  { id: 'dbs', name: 'DBS Bank', country: 'SG', currency: 'SGD' },
  { id: 'mufg', name: 'MUFG Bank', country: 'JP', currency: 'JPY' },
];

/** Fare caps: the most one express (no unlock) fare may be, in minor units. */
export const transitCities: readonly TransitCity[] = [
  {
    id: 'shanghai',
    city: 'Shanghai',
    card: 'Shanghai Public Transport Card',
    currency: 'CNY',
    fareCap: 30_00,
    defaultBalance: 50_00,
  },
  { id: 'beijing', city: 'Beijing', card: 'Beijing Yikatong', currency: 'CNY', fareCap: 30_00, defaultBalance: 50_00 },
  { id: 'shenzhen', city: 'Shenzhen', card: 'Shenzhen Tong', currency: 'CNY', fareCap: 25_00, defaultBalance: 50_00 },
  {
    id: 'guangzhou',
    city: 'Guangzhou',
    card: 'Yang Cheng Tong',
    currency: 'CNY',
    fareCap: 25_00,
    defaultBalance: 50_00,
  },
  { id: 'hongkong', city: 'Hong Kong', card: 'Octopus', currency: 'HKD', fareCap: 60_00, defaultBalance: 100_00 },
  { id: 'macau', city: 'Macau', card: 'Macau Pass', currency: 'MOP', fareCap: 30_00, defaultBalance: 100_00 },
];

export function findIssuer(id: string): Issuer | undefined {
  return issuers.find((i) => i.id === id);
}

export function findCity(id: string): TransitCity | undefined {
  return transitCities.find((c) => c.id === id);
}

/** Luhn (ISO/IEC 7812-1 Annex B) over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card number as typed ("4111 1111-1111 1111") → digits, or null unless 12–19 digits passing Luhn. */
export function normaliseCardNumber(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '');
  return /^[0-9]{12,19}$/.test(digits) && luhnValid(digits) ? digits : null;
}
