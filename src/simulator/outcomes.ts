// Outcome rules of the carrier simulator: what happens to a submit_sm, decided by its destination.
// Pure (no I/O). Rules are checked in order and the first match wins; custom rules go before the
// defaults. The defaults let tests and demos pick an outcome with the number's last four digits.

/** Receipt `stat` words (SMPP 3.4 §1.5), or any carrier code (e.g. 'MK:0005', 'UNDELIV_601'). */
export type ReceiptStat =
  | 'DELIVRD'
  | 'UNDELIV'
  | 'EXPIRED'
  | 'DELETED'
  | 'REJECTD'
  | 'UNKNOWN'
  | 'ACCEPTD'
  | 'ENROUTE'
  | (string & {});

export interface OutcomeRule {
  /** A suffix of destination_addr, or a RegExp tested against it. */
  match: string | RegExp;
  /** submit_sm_resp command_status; non-zero means the submit is refused (no receipt). Default 0. */
  submitStatus?: number;
  /** Receipt stat. Default 'DELIVRD'. */
  stat?: ReceiptStat;
  /** Receipt err (3 digits by convention). Default '000'. */
  err?: string;
  /** Accept the submit but never send a receipt (for DLR-timeout tests). */
  noReceipt?: boolean;
}

/** The decided outcome of one submit_sm. Instances are shared and frozen: do not mutate. */
export interface Outcome {
  readonly submitStatus: number;
  readonly stat: ReceiptStat;
  readonly err: string;
  /** False when no receipt is ever sent (refused submit, or noReceipt). */
  readonly receipt: boolean;
}

export const ESME_RSUBMITFAIL = 0x45;
export const ESME_RTHROTTLED = 0x58;

/**
 * The built-in rules, by the destination's last four digits:
 * 0000 → receipt UNDELIV err:001; 0001 → submit_sm_resp ESME_RSUBMITFAIL (0x45), no receipt;
 * 0002 → receipt EXPIRED; 0003 → receipt REJECTD; 0004 → submit_sm_resp ESME_RTHROTTLED (0x58);
 * 0009 → accepted, but no receipt is ever sent; anything else → DELIVRD err:000.
 */
export const DEFAULT_OUTCOME_RULES: readonly OutcomeRule[] = Object.freeze([
  { match: '0000', stat: 'UNDELIV', err: '001' },
  { match: '0001', submitStatus: ESME_RSUBMITFAIL },
  { match: '0002', stat: 'EXPIRED', err: '000' },
  { match: '0003', stat: 'REJECTD', err: '000' },
  { match: '0004', submitStatus: ESME_RTHROTTLED },
  { match: '0009', noReceipt: true },
]);

export const DELIVERED_OUTCOME: Outcome = Object.freeze({
  submitStatus: 0,
  stat: 'DELIVRD',
  err: '000',
  receipt: true,
});

function toOutcome(rule: OutcomeRule): Outcome {
  const submitStatus = rule.submitStatus ?? 0;
  return Object.freeze({
    submitStatus,
    stat: rule.stat ?? 'DELIVRD',
    err: rule.err ?? '000',
    receipt: submitStatus === 0 && rule.noReceipt !== true,
  });
}

export type OutcomeResolver = (destination: string) => Outcome;

/**
 * Compiles rules once (custom first, then the defaults, then DELIVRD) into a resolver that returns
 * shared, frozen Outcome objects: the simulator calls it for every submit_sm.
 */
export function compileOutcomes(
  custom: readonly OutcomeRule[] = [],
  defaults: readonly OutcomeRule[] = DEFAULT_OUTCOME_RULES,
): OutcomeResolver {
  const compiled = [...custom, ...defaults].map((rule) => {
    const outcome = toOutcome(rule);
    const { match } = rule;
    if (typeof match === 'string') return { test: (d: string) => d.endsWith(match), outcome };
    // A global or sticky RegExp keeps lastIndex between calls; test a copy without those flags.
    const re =
      match.global || match.sticky
        ? new RegExp(match.source, match.flags.replace(/[gy]/g, ''))
        : match;
    return { test: (d: string) => re.test(d), outcome };
  });
  return (destination: string): Outcome => {
    for (const rule of compiled) if (rule.test(destination)) return rule.outcome;
    return DELIVERED_OUTCOME;
  };
}

/** One-off resolution (compiles the rules each call; use compileOutcomes in a hot path). */
export function resolveOutcome(destination: string, custom: readonly OutcomeRule[] = []): Outcome {
  return compileOutcomes(custom)(destination);
}
