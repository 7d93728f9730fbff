// Who pays for an acceptance: the contract's prepaid package first, then the tenant's available
// balance. Pure decisions; the store reads the figures and writes what they return in one
// transaction (store/messages.ts), and the estimate runs the same decisions without writing.
import { DomainError } from '../errors.ts';
import { formatAmount } from './money.ts';

/** What a message costs: its parts and, unless free, parts × price in minor units. */
export interface Priced {
  parts: number;
  price?: number;
  amount?: number;
  /** Paid by the contract's package: no price of its own. */
  package?: boolean;
}

/** The terms of the balance check: the tenant's currency, and whether a partial batch is taken. */
export interface HoldTerms {
  currency: string;
  /** Take the messages that fit, in order, instead of refusing the request. */
  partial: boolean;
}

/** What the balance pays for, and the one hold the acceptance posts for it. */
export interface BalanceFit<T> {
  accepted: T[];
  /** Refused for balance (only with `partial`). */
  unaffordable: T[];
  /** The hold: the sum of the accepted amounts, and the parts that carry a price. */
  hold: { amount: number; parts: number };
}

/** The amount messages cost together (minor units). */
export function totalAmount(messages: readonly Priced[]): number {
  return messages.reduce((sum, m) => sum + (m.amount ?? 0), 0);
}

/**
 * The contract's package pays for messages in order while its parts last; the first that does not
 * fit ends it (the order of the request is kept, none is skipped). Those it pays for come back as
 * free copies; the others are returned as they were. `partsUsed` is what the package gives up.
 */
export function payFromPackage<T extends Priced>(
  messages: readonly T[],
  partsLeft: number,
): { messages: T[]; partsUsed: number } {
  let left = partsLeft;
  let covered = 0;
  while (covered < messages.length && messages[covered]!.parts <= left) {
    left -= messages[covered]!.parts;
    covered += 1;
  }
  if (covered === 0) return { messages: [...messages], partsUsed: 0 };
  return {
    messages: messages.map((m, i) =>
      i < covered ? { ...m, package: true, price: 0, amount: 0 } : m,
    ),
    partsUsed: partsLeft - left,
  };
}

/**
 * Which messages the available balance pays for: all of them; or, with `partial`, those that fit
 * in order (a message too dear is refused, a cheaper one after it may still fit); otherwise
 * insufficient_balance. A negative available balance (fees may exceed it) pays for nothing.
 */
export function fitBalance<T extends Priced>(
  messages: readonly T[],
  available: number,
  terms: HoldTerms,
): BalanceFit<T> {
  const total = totalAmount(messages);
  if (total <= available)
    return { accepted: [...messages], unaffordable: [], hold: holdFor(messages) };
  if (!terms.partial) {
    throw new DomainError(
      'insufficient_balance',
      `this request costs ${formatAmount(total)} ${terms.currency}; ${formatAmount(available)} is available`,
      {
        required: formatAmount(total),
        available: formatAmount(available),
        currency: terms.currency,
      },
    );
  }
  let left = available;
  const accepted: T[] = [];
  const unaffordable: T[] = [];
  for (const m of messages) {
    const amount = m.amount ?? 0;
    if (amount <= left) {
      accepted.push(m);
      left -= amount;
    } else unaffordable.push(m);
  }
  if (accepted.length === 0) {
    throw new DomainError(
      'insufficient_balance',
      `not even one message fits in the available ${formatAmount(available)} ${terms.currency}`,
      { available: formatAmount(available), currency: terms.currency },
    );
  }
  return { accepted, unaffordable, hold: holdFor(accepted) };
}

function holdFor(messages: readonly Priced[]): { amount: number; parts: number } {
  let amount = 0;
  let parts = 0;
  for (const m of messages) {
    amount += m.amount ?? 0;
    if (m.amount) parts += m.parts;
  }
  return { amount, parts };
}
