// Which Chinese carrier issued a mainland mobile number, by its network code (网号).
// Source: MIIT H0 allocation table, March 2023. Since number portability
// (2019-12-01) this is a hint, good for pricing by carrier, not proof for routing.

export type CnCarrier = 'mobile' | 'unicom' | 'telecom' | 'broadnet';
export const CN_CARRIERS: readonly CnCarrier[] = ['mobile', 'unicom', 'telecom', 'broadnet'];

const BY_PREFIX: Record<CnCarrier, readonly string[]> = {
  mobile: [
    '1340',
    '1341',
    '1342',
    '1343',
    '1344',
    '1345',
    '1346',
    '1347',
    '1348',
    '135',
    '136',
    '137',
    '138',
    '139',
    '147',
    '148',
    '150',
    '151',
    '152',
    '157',
    '158',
    '159',
    '165',
    '1703',
    '1705',
    '1706',
    '172',
    '178',
    '182',
    '183',
    '184',
    '187',
    '188',
    '195',
    '197',
    '198',
  ],
  unicom: [
    '130',
    '131',
    '132',
    '145',
    '146',
    '155',
    '156',
    '166',
    '167',
    '1704',
    '1707',
    '1708',
    '1709',
    '171',
    '175',
    '176',
    '185',
    '186',
    '196',
  ],
  telecom: [
    '133',
    '1349',
    '149',
    '153',
    '162',
    '1700',
    '1701',
    '1702',
    '173',
    '1740',
    '177',
    '180',
    '181',
    '189',
    '190',
    '191',
    '193',
    '199',
  ],
  broadnet: ['192'],
};

// Longest prefix first, so 1349 (Telecom) wins over 134x (Mobile) and 1703 over 170.
const TABLE: Array<[string, CnCarrier]> = (
  Object.entries(BY_PREFIX) as Array<[CnCarrier, readonly string[]]>
)
  .flatMap(([carrier, prefixes]) => prefixes.map((p) => [p, carrier] as [string, CnCarrier]))
  .sort((a, b) => b[0].length - a[0].length);

/** The carrier of an E.164 mainland mobile number (`+861…`), or null. */
export function cnCarrierOf(e164: string): CnCarrier | null {
  if (!e164.startsWith('+861') || e164.length !== 14) return null;
  const national = e164.slice(3);
  for (const [prefix, carrier] of TABLE) if (national.startsWith(prefix)) return carrier;
  return null;
}
