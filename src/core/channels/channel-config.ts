// What an operator configures per carrier channel, and the one validator used by the config file,
// the admin API and the CLI. Pure: a channel config is data.
import { FAILURE_CATEGORIES, type CategoryRule } from '../failure-category.ts';

export type ChannelKind = 'smpp' | 'cmpp' | 'simulator';
export type ChannelUse = 'live' | 'test' | 'both';

interface ChannelCommon {
  id: string;
  name: string;
  host: string;
  port: number;
  /** Connections (binds) opened to the carrier; the window and throughput are shared out. */
  binds: number;
  /** Outstanding submits without a response, per bind. */
  window: number;
  /** Submits per second for the whole channel (token bucket). */
  throughput: number;
  /** Keep-alive: SMPP enquire_link / CMPP ACTIVE_TEST after this much silence. */
  enquireLinkSeconds: number;
  /** How long to wait for a submit response before counting the part as unanswered. */
  responseTimeoutSeconds: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** SMPP source_addr / CMPP Src_Id (the service number, e.g. 106900…). */
  sourceAddr: string;
  /** Which traffic it carries: live, test (messages sent with hy_test_ keys) or both. */
  use: ChannelUse;
  /** A disabled channel is kept but not connected. */
  enabled: boolean;
  /** Carrier status → failure category, tried before the shipped defaults. */
  categoryRules: CategoryRule[];
  /** A burst of this many submit errors (temporary or throttled) within burstWindowSeconds takes the
   * channel out of routing for burstCooldownSeconds; 0 turns it off. */
  burstErrors: number;
  burstWindowSeconds: number;
  burstCooldownSeconds: number;
}

export interface SmppChannelConfig extends ChannelCommon {
  /** `simulator` is SMPP to the built-in simulator (its port when port is 0). */
  kind: 'smpp' | 'simulator';
  systemId: string;
  password: string;
  systemType: string;
  /** How this carrier's DLR ids relate to its submit_sm_resp ids (Jasmin `dlr_msgid`). */
  receiptIdMode: 'same' | 'hex-resp-dec-dlr' | 'dec-resp-hex-dlr';
  /** TLS to the carrier (SMPP over TLS, e.g. port 3550). */
  tls: boolean;
  /** Accept the carrier's certificate without checking it (test set-ups only). */
  tlsInsecure: boolean;
  /** data_coding for GSM-alphabet text: 0 (SMSC default = GSM 03.38), 1 (IA5/ASCII) or 3 (Latin-1). */
  defaultDataCoding: 0 | 1 | 3;
}

export interface CmppChannelConfig extends ChannelCommon {
  kind: 'cmpp';
  /** 2 (CMPP 2.0, 0x20) or 3 (CMPP 3.0, 0x30). */
  version: 2 | 3;
  /** Source_Addr / Msg_src: the SP's enterprise code (6 characters). */
  spId: string;
  /** The shared secret of the CONNECT authenticator. */
  password: string;
  /** Service_Id (up to 10 characters). */
  serviceId: string;
  /** Source_Addr in the CONNECT authenticator when spId is under 6 characters: padded with NUL
   * to its 6 octets (the default: the field as CMPP 3.0 §7.4.2.1 defines it) or only the id's
   * characters (docs/cmpp.md). */
  authSourceAddr: 'padded' | 'unpadded';
}

export type ChannelConfig = SmppChannelConfig | CmppChannelConfig;

const COMMON: Omit<ChannelCommon, 'id' | 'port'> = {
  name: '',
  host: '127.0.0.1',
  binds: 1,
  window: 100,
  throughput: 20000,
  enquireLinkSeconds: 30,
  responseTimeoutSeconds: 30,
  reconnectMinMs: 250,
  reconnectMaxMs: 30000,
  sourceAddr: '106900',
  use: 'live',
  enabled: true,
  categoryRules: [],
  burstErrors: 50,
  burstWindowSeconds: 10,
  burstCooldownSeconds: 30,
};

export const SMPP_DEFAULTS: Omit<SmppChannelConfig, 'id' | 'port'> = {
  ...COMMON,
  kind: 'smpp',
  systemId: 'hongyan',
  password: 'sim',
  systemType: '',
  receiptIdMode: 'same',
  tls: false,
  tlsInsecure: false,
  defaultDataCoding: 0,
};

export const CMPP_DEFAULTS: Omit<CmppChannelConfig, 'id' | 'port'> = {
  ...COMMON,
  kind: 'cmpp',
  window: 16,
  enquireLinkSeconds: 60,
  responseTimeoutSeconds: 60,
  version: 3,
  spId: '901234',
  password: 'secret',
  serviceId: 'HONGYAN',
  authSourceAddr: 'padded',
};

/** Secrets never leave the server: shown as set or not. */
export const SECRET_FIELDS = ['password'] as const;

export class ChannelConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Complete and check a channel config (defaults for what is missing). Throws ChannelConfigError
 * naming the first bad field. `base` is the current config when changing a channel.
 */
export function validateChannelConfig(
  input: Record<string, unknown>,
  base?: ChannelConfig,
): ChannelConfig {
  const kind = (input.kind ?? base?.kind ?? 'smpp') as string;
  if (!['smpp', 'cmpp', 'simulator'].includes(kind))
    throw new ChannelConfigError('kind', `kind "${kind}" is not smpp, cmpp or simulator`);
  if (base && (base.kind === 'cmpp') !== (kind === 'cmpp'))
    throw new ChannelConfigError('kind', 'a channel cannot change protocol; add a new channel');
  const defaults = kind === 'cmpp' ? CMPP_DEFAULTS : { ...SMPP_DEFAULTS, kind };
  const allowed = new Set([...Object.keys(defaults), 'id', 'port']);
  for (const key of Object.keys(input))
    if (!allowed.has(key))
      throw new ChannelConfigError(key, `unknown channel option "${key}" for a ${kind} channel`);
  const merged = { ...defaults, ...(base ?? {}), ...stripUndefined(input) } as Record<
    string,
    unknown
  >;
  const fail = (field: string, message: string): never => {
    throw new ChannelConfigError(field, message);
  };
  const id = merged.id;
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(id))
    fail('id', 'id must be 1-32 characters: lower-case letters, digits, - and _');
  if (merged.name === '' || merged.name === undefined) merged.name = id;
  if (typeof merged.name !== 'string' || (merged.name as string).length > 100)
    fail('name', 'name must be a string of at most 100 characters');
  if (typeof merged.host !== 'string' || merged.host === '') fail('host', 'host is required');
  const int = (field: string, min: number, max: number) => {
    const v = merged[field];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      fail(field, `${field} must be a whole number ${min}-${max}`);
  };
  // Port 0 on an SMPP channel: the embedded simulator, wherever it listens.
  int('port', kind === 'cmpp' ? 1 : 0, 65535);
  int('binds', 1, 32);
  int('window', 1, 1024);
  int('enquireLinkSeconds', 1, 3600);
  int('responseTimeoutSeconds', 1, 600);
  int('reconnectMinMs', 10, 600_000);
  int('reconnectMaxMs', merged.reconnectMinMs as number, 3_600_000);
  int('burstErrors', 0, 1_000_000);
  int('burstWindowSeconds', 1, 3600);
  int('burstCooldownSeconds', 1, 86_400);
  if (typeof merged.throughput !== 'number' || !(merged.throughput > 0))
    fail('throughput', 'throughput (parts per second) must be > 0');
  if (typeof merged.sourceAddr !== 'string' || !/^[0-9A-Za-z+ ]{0,21}$/.test(merged.sourceAddr))
    fail('sourceAddr', 'sourceAddr must be up to 21 letters or digits');
  if (!['live', 'test', 'both'].includes(merged.use as string))
    fail('use', 'use must be live, test or both');
  if (typeof merged.enabled !== 'boolean') fail('enabled', 'enabled must be true or false');
  const rules = merged.categoryRules;
  if (!Array.isArray(rules)) fail('categoryRules', 'categoryRules must be a list');
  (rules as unknown[]).forEach((r, i) => {
    const rule = r as Record<string, unknown>;
    if (
      typeof rule !== 'object' ||
      rule === null ||
      typeof rule.stat !== 'string' ||
      rule.stat.trim() === '' ||
      !FAILURE_CATEGORIES.includes(rule.category as never) ||
      Object.keys(rule).some((k) => k !== 'stat' && k !== 'category')
    )
      fail(
        `categoryRules[${i}]`,
        `categoryRules[${i}]: each rule is {"stat": "MK:0001" or a prefix like "MK:*", "category": one of ${FAILURE_CATEGORIES.join(', ')}}`,
      );
  });
  if (merged.kind === 'cmpp') {
    if (merged.version !== 2 && merged.version !== 3) fail('version', 'version must be 2 or 3');
    if (typeof merged.spId !== 'string' || !/^[0-9A-Za-z]{1,6}$/.test(merged.spId))
      fail('spId', 'spId (Source_Addr) must be 1-6 letters or digits');
    if (typeof merged.password !== 'string' || merged.password.length > 64)
      fail('password', 'password must be a string');
    if (typeof merged.serviceId !== 'string' || !/^[0-9A-Za-z_-]{0,10}$/.test(merged.serviceId))
      fail('serviceId', 'serviceId must be up to 10 letters or digits');
    if (merged.authSourceAddr !== 'padded' && merged.authSourceAddr !== 'unpadded')
      fail('authSourceAddr', 'authSourceAddr must be padded or unpadded');
    if ((merged.sourceAddr as string).length > 21) fail('sourceAddr', 'Src_Id is 21 characters');
  } else {
    if (typeof merged.systemId !== 'string' || merged.systemId.length > 15)
      fail('systemId', 'systemId is limited to 15 characters by SMPP');
    if (typeof merged.password !== 'string' || merged.password.length > 8)
      fail('password', 'password is limited to 8 characters by SMPP');
    if (typeof merged.systemType !== 'string' || merged.systemType.length > 12)
      fail('systemType', 'systemType is limited to 12 characters by SMPP');
    if (!['same', 'hex-resp-dec-dlr', 'dec-resp-hex-dlr'].includes(merged.receiptIdMode as string))
      fail('receiptIdMode', 'receiptIdMode must be same, hex-resp-dec-dlr or dec-resp-hex-dlr');
    if (typeof merged.tls !== 'boolean') fail('tls', 'tls must be true or false');
    if (typeof merged.tlsInsecure !== 'boolean')
      fail('tlsInsecure', 'tlsInsecure must be true or false');
    if (![0, 1, 3].includes(merged.defaultDataCoding as number))
      fail('defaultDataCoding', 'defaultDataCoding must be 0 (GSM), 1 (IA5) or 3 (Latin-1)');
  }
  return merged as unknown as ChannelConfig;
}

/** The config as shown to operators: secrets replaced by whether they are set. */
export function publicChannelConfig(c: ChannelConfig): Record<string, unknown> {
  const { password, ...rest } = c;
  return { ...rest, passwordSet: password !== '' };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
