// Pricing: a plan is a list of rules, each a price per SMS part for the destinations and message
// classes it names. The most specific matching rule wins; a plan where two rules of the same
// specificity could both match one message is refused, so a price is never ambiguous.
import { DomainError } from '../errors.ts';
import { parseAmount } from './money.ts';
import { CN_CARRIERS, type CnCarrier } from './cn-carrier.ts';

export const MESSAGE_CLASSES = ['verification', 'notification', 'marketing'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

export interface PriceRule {
  /** ISO 3166 region of the destination (CN, GB…); absent = any. */
  country?: string;
  /** Only for CN: the carrier by number segment; absent = any. */
  carrier?: CnCarrier;
  class?: MessageClass;
  /** Price per part, minor units (1 = 0.0001). */
  price: number;
}

export interface Destination {
  country: string | null;
  carrier: CnCarrier | null;
  class: MessageClass;
}

const KEYS = ['country', 'carrier', 'class'] as const;

/** Parse and check a plan from the API's shape (`price` as a decimal string). Throws 422 with the field. */
export function parsePlan(input: unknown): PriceRule[] {
  if (!Array.isArray(input) || input.length === 0)
    throw new DomainError('invalid_price_plan', 'rules must be a non-empty list', {
      field: 'rules',
    });
  const rules = input.map((raw, i): PriceRule => {
    const field = `rules[${i}]`;
    if (typeof raw !== 'object' || raw === null)
      throw new DomainError('invalid_price_plan', `${field} must be an object`, { field });
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!['country', 'carrier', 'class', 'price'].includes(k))
        throw new DomainError('invalid_price_plan', `${field}.${k} is not a rule field`, {
          field: `${field}.${k}`,
        });
    const rule: PriceRule = { price: 0 };
    if (typeof r.price !== 'string')
      throw new DomainError(
        'invalid_price_plan',
        `${field}.price must be a decimal string like "0.0450"`,
        { field: `${field}.price` },
      );
    try {
      rule.price = parseAmount(r.price);
    } catch {
      throw new DomainError(
        'invalid_price_plan',
        `${field}.price "${r.price}" is not an amount with at most 4 decimals`,
        { field: `${field}.price` },
      );
    }
    if (rule.price < 0)
      throw new DomainError('invalid_price_plan', `${field}.price must not be negative`, {
        field: `${field}.price`,
      });
    if (r.country !== undefined) {
      if (typeof r.country !== 'string' || !/^[A-Z]{2}$/.test(r.country))
        throw new DomainError(
          'invalid_price_plan',
          `${field}.country must be a region code like CN`,
          { field: `${field}.country` },
        );
      rule.country = r.country;
    }
    if (r.carrier !== undefined) {
      if (!CN_CARRIERS.includes(r.carrier as CnCarrier))
        throw new DomainError(
          'invalid_price_plan',
          `${field}.carrier must be one of ${CN_CARRIERS.join(', ')}`,
          { field: `${field}.carrier` },
        );
      if (rule.country !== undefined && rule.country !== 'CN')
        throw new DomainError('invalid_price_plan', `${field}.carrier applies to CN only`, {
          field: `${field}.carrier`,
        });
      rule.carrier = r.carrier as CnCarrier;
      rule.country = 'CN';
    }
    if (r.class !== undefined) {
      if (!MESSAGE_CLASSES.includes(r.class as MessageClass))
        throw new DomainError(
          'invalid_price_plan',
          `${field}.class must be one of ${MESSAGE_CLASSES.join(', ')}`,
          { field: `${field}.class` },
        );
      rule.class = r.class as MessageClass;
    }
    return rule;
  });
  const overlap = findOverlap(rules);
  if (overlap) {
    const [a, b] = overlap;
    throw new DomainError(
      'invalid_price_plan',
      `rules[${a}] and rules[${b}] overlap: some message would match both with equal specificity`,
      { field: `rules[${b}]` },
    );
  }
  return rules;
}

/** Two rules overlap when they are equally specific and no field tells them apart. */
export function findOverlap(rules: readonly PriceRule[]): [number, number] | null {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (specificity(a) !== specificity(b)) continue;
      if (KEYS.every((k) => a[k] === undefined || b[k] === undefined || a[k] === b[k]))
        return [i, j];
    }
  }
  return null;
}

function specificity(r: PriceRule): number {
  // A carrier implies CN; count it above a bare country so "CN + mobile" beats "CN".
  return (
    (r.country !== undefined ? 1 : 0) +
    (r.carrier !== undefined ? 2 : 0) +
    (r.class !== undefined ? 4 : 0)
  );
}

/** Price per part for a destination, or null when no rule covers it (the message is refused). */
export function priceFor(rules: readonly PriceRule[], d: Destination): number | null {
  let best: PriceRule | null = null;
  for (const r of rules) {
    if (r.country !== undefined && r.country !== d.country) continue;
    if (r.carrier !== undefined && r.carrier !== d.carrier) continue;
    if (r.class !== undefined && r.class !== d.class) continue;
    if (!best || specificity(r) > specificity(best)) best = r;
  }
  return best ? best.price : null;
}
