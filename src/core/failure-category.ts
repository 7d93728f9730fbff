// Whose fault was a failure? Carrier codes (SMPP command_status, receipt stat/err, CMPP Stat like
// MK:0005 or DB:0102, SMGP UNDELIV_601) normalised into a few categories a tenant can act on
// (carrier faults, handset faults, recipient refusal…). Defaults from the codes carriers publish
// (SMPP 3.4 §5.1.3, CMPP 3.0 §7.4.3.3 Stat values); a channel may override them with its own rules,
// first match wins.

export const FAILURE_CATEGORIES = [
  'invalid_number',
  'handset',
  'recipient_blocked',
  'content',
  'carrier',
  'platform',
  'expired',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export interface CategoryRule {
  /** An exact stat (case-insensitive), or a prefix ending in `*` (e.g. "MN:*"). */
  stat: string;
  category: FailureCategory;
}

// Order matters: exact codes before the prefix that covers them.
export const DEFAULT_CATEGORY_RULES: readonly CategoryRule[] = [
  ...['MK:0000', 'MK:0001', 'MK:0012', 'MN:0001', 'DB:0100', 'DB:0101'].map((stat) => ({
    stat,
    category: 'invalid_number' as const,
  })),
  ...['MK:0003', 'MK:0005', 'MK:0013', 'MI:0013', 'DB:0102', 'DB:0103'].map((stat) => ({
    stat,
    category: 'invalid_number' as const,
  })),
  ...['MK:0015', 'MK:0017', 'MK:0022'].map((stat) => ({ stat, category: 'handset' as const })),
  ...[
    'MK:0002',
    'MK:0004',
    'MK:0008',
    'MK:0009',
    'MK:0010',
    'MK:0011',
    'MK:0023',
    'MK:0024',
    'MK:0029',
    'MI:0024',
  ].map((stat) => ({ stat, category: 'handset' as const })),
  ...[
    'MB:1077',
    'DB:0141',
    'DB:0144',
    'ID:0069',
    'ID:0141',
    'BLACK',
    'MBBLACK',
    'DBBLACK',
    'TDBLACK',
    'TUIDING',
    'W-BLACK',
  ].map((stat) => ({ stat, category: 'recipient_blocked' as const })),
  ...['ID:0076', 'ID:0318', 'KEYWORD', 'REJECTD', 'REJECTD_006', 'REJECTD_706'].map((stat) => ({
    stat,
    category: 'content' as const,
  })),
  ...[
    'MB:1041',
    'MB:1042',
    'DB:0142',
    'DB:0143',
    'DB:9007',
    'LIMIT',
    'BEYONDN',
    'MILIMIT',
    'CTLIMIT',
  ].map((stat) => ({ stat, category: 'carrier' as const })),
  { stat: 'EXPIRED', category: 'expired' },
  { stat: 'EXPIRED_*', category: 'expired' },
  { stat: 'UNDELIV_*', category: 'invalid_number' },
  { stat: 'UNDELIV', category: 'invalid_number' },
  { stat: 'MN:*', category: 'handset' },
  { stat: 'MI:*', category: 'handset' },
  { stat: 'MK:*', category: 'carrier' },
  { stat: 'MB:*', category: 'carrier' },
  { stat: 'MC:*', category: 'carrier' },
  { stat: 'IA:*', category: 'carrier' },
  { stat: 'IB:*', category: 'carrier' },
  { stat: 'IC:*', category: 'carrier' },
  { stat: 'DB:*', category: 'carrier' },
  { stat: 'ID:*', category: 'carrier' },
  { stat: 'NP:*', category: 'carrier' },
  { stat: 'UNKNOWN', category: 'carrier' },
];

/** SMPP submit refusals (command_status) that are about the number, not the carrier. */
const SUBMIT_STATUS: Record<number, FailureCategory> = {
  0x0b: 'invalid_number', // ESME_RINVDSTADR
  0x50: 'invalid_number', // ESME_RINVDSTTON
  0x51: 'invalid_number', // ESME_RINVDSTNPI
};

export function categoriseStat(
  stat: string,
  rules: readonly CategoryRule[] = DEFAULT_CATEGORY_RULES,
): FailureCategory {
  const s = stat.trim().toUpperCase();
  for (const r of rules) {
    const p = r.stat.toUpperCase();
    if (p.endsWith('*') ? s.startsWith(p.slice(0, -1)) : s === p) return r.category;
  }
  return 'carrier';
}

/** The category of a failed message from what the carrier said, or what we said ourselves. */
export function categorise(
  f: { stat?: string | null; commandStatus?: number | null; errorCode?: string | null },
  rules?: readonly CategoryRule[],
): FailureCategory {
  if (f.stat) return categoriseStat(f.stat, rules);
  if (f.commandStatus !== undefined && f.commandStatus !== null)
    return SUBMIT_STATUS[f.commandStatus] ?? 'carrier';
  // Our own refusals: content review, no channel, expiry before submit.
  if (f.errorCode === 'content_rejected') return 'content';
  if (f.errorCode === 'expired') return 'expired';
  return 'platform';
}

/** From a message's error code alone: a carrier stat (upper case), an SMPP status name, or ours. */
export function categoriseErrorCode(
  code: string,
  rules?: readonly CategoryRule[],
): FailureCategory {
  if (code.startsWith('ESME_'))
    return ['ESME_RINVDSTADR', 'ESME_RINVDSTTON', 'ESME_RINVDSTNPI'].includes(code)
      ? 'invalid_number'
      : 'carrier';
  if (/^[a-z_]+$/.test(code)) return categorise({ errorCode: code });
  return categoriseStat(code, rules);
}
