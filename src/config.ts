// One validated config object: defaults < JSON file (HONGYAN_CONFIG) < environment.
// Unknown options fail start-up, so a typo never silently falls back to a default.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ChannelConfigError,
  validateChannelConfig,
  type ChannelConfig,
  type CmppChannelConfig,
  type SmppChannelConfig,
} from './core/channels/channel-config.ts';
import { EgressPolicy, EgressPolicyError } from './net/egress-policy.ts';

export type Role = 'api' | 'dispatcher' | 'worker' | 'simulator';
export const ALL_ROLES: readonly Role[] = ['api', 'dispatcher', 'worker', 'simulator'];

export type { ChannelConfig, SmppChannelConfig, CmppChannelConfig };

export interface Config {
  /** `console`: serve the web console (web/dist) at `/`, built on start when stale. */
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    secureCookies: boolean;
    console: boolean;
  };
  dataDir: string;
  databaseUrl: string | null;
  defaultRegion: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  roles: Role[];
  nodeId: string;
  /**
   * The embedded SMPP carrier simulator. `stateFile` is the journal of the receipts it owes
   * (docs/delivery-guarantees.md); null = `<dataDir>/smpp-simulator.journal`. A receipt still owed
   * `receiptMaxAgeSeconds` after it fell due is dropped (its system_id never bound a receiver again).
   */
  simulator: {
    port: number;
    host: string;
    receiptDelayMs: number;
    stateFile: string | null;
    receiptMaxAgeSeconds: number;
  };
  /** The SMPP server tenants bind to (docs/smpp.md); runs with the api role. */
  smpp: { host: string; port: number };
  /** The CMPP server tenants connect to as SPs (docs/cmpp.md); runs with the api role. */
  cmpp: { host: string; port: number };
  /** Channels from the config file: applied to the database at start (see docs/channels.md). */
  channels: ChannelConfig[];
  messages: {
    maxRecipients: number;
    maxParts: number;
    /** A submitted message with no receipt after this long ends as `unknown`. */
    receiptTimeoutSeconds: number;
    /** How long a message may wait to be submitted, per class; after that it ends `expired`. */
    validityHours: { verification: number; notification: number; marketing: number };
    maxSubmitAttempts: number;
  };
  dispatcher: { batchSize: number; idleMs: number; leaseSeconds: number };
  /** `consoleUsers`: also create the demo's console logins (a tenant owner, an operator admin). */
  demo: { enabled: boolean; openingBalance: string; consoleUsers: boolean };
  /** Requests per second and burst, per API key (or user) and per tenant; 429 beyond. */
  limits: {
    keyPerSecond: number;
    keyBurst: number;
    tenantPerSecond: number;
    tenantBurst: number;
    /**
     * Per tenant, counted in messages (one per recipient, parts do not count), on every sending
     * path (HTTP, SMPP, CMPP): accepted per second and burst, and in accept calls at once on a
     * node. The operator overrides them per tenant (PUT /v1/admin/tenants/{id}/limits).
     */
    messagesPerSecond: number;
    messagesBurst: number;
    messagesInFlight: number;
  };
  /**
   * Password guessing on HTTP login, SMPP binds and CMPP logins (docs/security.md, "Lock-outs
   * and throttling"): `maxFailures` failed tries of one name from one address lock that pair for
   * `lockMinutes`; `maxFailuresPerAddress` over all names throttle the address as long; past
   * `maxFailuresPerName` from anywhere, each try of the name from an address that has failed for
   * it waits, up to `maxDelaySeconds` (an address with no failures of its own is always checked).
   * A name that logged in from an address is exempt there from the last two for
   * `knownAddressDays`, and its own failures there slow it (up to `maxDelaySeconds`) instead of
   * locking it. `requestsPerMinute`: HTTP login requests per address, whatever their outcome.
   */
  login: {
    maxFailures: number;
    lockMinutes: number;
    maxFailuresPerAddress: number;
    maxFailuresPerName: number;
    maxDelaySeconds: number;
    knownAddressDays: number;
    sessionHours: number;
    /** Login requests per minute from one address, whatever their outcome (HTTP; 429 past it). */
    requestsPerMinute: number;
  };
  /**
   * Keys for encryption at rest: `k1:<base64 of 32 bytes>,k0:<…>` (first = current; keep old ones
   * to read old rows). Unset: on SQLite a key is generated into the data dir; on PostgreSQL, none.
   */
  security: { encryptionKeys: string | null };
  /** The default price plan (one price per part everywhere) for tenants without their own. */
  /** Statements' months run in this timezone, as minutes east of UTC (China: 480). */
  billing: { defaultPrice: string; currency: string; statementUtcOffsetMinutes: number };
  /**
   * Notices to tenants. Email needs an SMTP server (null: email is recorded as skipped); SMS goes
   * through Hongyan itself from the operator's own account, signed with `smsSignature`.
   */
  compliance: {
    /** Off only for measuring what compliance costs (npm run bench -- --no-compliance). */
    enabled: boolean;
    optOutKeywords: string[];
    /** Appended to marketing messages that lack an opt-out hint (counted in their parts). */
    marketingHint: string;
    /** Marketing goes out only between these minutes of the recipient's day (China time by default). */
    sendingWindow: { utcOffsetMinutes: number; startMinute: number; endMinute: number };
    reviewHoldHours: number;
    verificationIgnoresOptOut: boolean;
  };
  notifications: {
    smtp: {
      host: string;
      port: number;
      secure: boolean;
      user: string | null;
      password: string | null;
      from: string;
    } | null;
    smsSignature: string;
    checkSeconds: number;
  };
  /** Webhook deliveries (docs/webhooks.md): timeouts, retries, concurrency bounds, retention. */
  webhooks: {
    timeoutMs: number;
    /** Retry delays grow ×3 from the base (±20 % jitter) up to the max, for maxAgeHours. */
    backoffBaseMs: number;
    backoffMaxMs: number;
    maxAgeHours: number;
    /** Requests in flight at once: per endpoint (or callback origin), per tenant, per node. */
    perEndpoint: number;
    perTenant: number;
    global: number;
    leaseSeconds: number;
    pollMs: number;
    /** Delivered and dead deliveries, and message events, are deleted after this many days. */
    retentionDays: number;
    /** How long a missing event id may be an uncommitted transaction (event horizon). */
    gapWaitMs: number;
    /**
     * Non-public addresses webhooks and callbackUrls may reach anyway: CIDR ranges, addresses,
     * host names, `*.domain`. Empty (default): public internet addresses only (docs/security.md).
     */
    allowedTargets: string[];
  };
  /** The live event stream, GET /v1/events/stream (docs/stream.md). */
  stream: { maxPerTenant: number; heartbeatSeconds: number; pollMs: number };
}

export class ConfigError extends Error {}

/** With no channel configured, everything goes through the built-in simulator (port 0 = wherever it listens). */
const BUILT_IN_SIMULATOR = { id: 'sim', name: 'Built-in simulator', kind: 'simulator', port: 0 };

function defaults(): Config {
  return {
    http: {
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 4 * 1024 * 1024,
      secureCookies: false,
      console: true,
    },
    dataDir: './data',
    databaseUrl: null,
    defaultRegion: 'CN',
    logLevel: 'info',
    roles: [...ALL_ROLES],
    nodeId: 'node-1',
    simulator: {
      port: 2776,
      host: '127.0.0.1',
      receiptDelayMs: 1000,
      stateFile: null,
      receiptMaxAgeSeconds: 48 * 3600,
    },
    smpp: { host: '127.0.0.1', port: 2775 },
    cmpp: { host: '127.0.0.1', port: 7890 },
    channels: [],
    messages: {
      maxRecipients: 10000,
      maxParts: 10,
      receiptTimeoutSeconds: 48 * 3600,
      validityHours: { verification: 48, notification: 48, marketing: 48 },
      maxSubmitAttempts: 5,
    },
    dispatcher: { batchSize: 500, idleMs: 50, leaseSeconds: 120 },
    demo: { enabled: true, openingBalance: '1000.0000', consoleUsers: true },
    limits: {
      keyPerSecond: 50,
      keyBurst: 100,
      tenantPerSecond: 100,
      tenantBurst: 200,
      messagesPerSecond: 5000,
      messagesBurst: 50_000,
      messagesInFlight: 20_000,
    },
    login: {
      maxFailures: 5,
      lockMinutes: 15,
      maxFailuresPerAddress: 20,
      maxFailuresPerName: 10,
      maxDelaySeconds: 60,
      knownAddressDays: 30,
      sessionHours: 12,
      requestsPerMinute: 30,
    },
    security: { encryptionKeys: null },
    billing: { defaultPrice: '0.0450', currency: 'CNY', statementUtcOffsetMinutes: 480 },
    compliance: {
      enabled: true,
      optOutKeywords: ['TD', 'T', 'N', 'R', '0000', 'STOP', '退订', '取消'],
      marketingHint: '拒收请回复R',
      sendingWindow: { utcOffsetMinutes: 480, startMinute: 480, endMinute: 1260 },
      reviewHoldHours: 24,
      verificationIgnoresOptOut: true,
    },
    notifications: { smtp: null, smsSignature: '鸿雁', checkSeconds: 30 },
    webhooks: {
      timeoutMs: 10_000,
      backoffBaseMs: 10_000,
      backoffMaxMs: 3_600_000,
      maxAgeHours: 24,
      perEndpoint: 4,
      perTenant: 16,
      global: 64,
      leaseSeconds: 120,
      pollMs: 100,
      retentionDays: 7,
      gapWaitMs: 30_000,
      allowedTargets: [],
    },
    stream: { maxPerTenant: 10, heartbeatSeconds: 15, pollMs: 250 },
  };
}

type Env = Record<string, string | undefined>;

/** Load the config; `overrides` (tests, embedding) win over everything. */
export function loadConfig(env: Env = process.env, overrides: DeepPartial<Config> = {}): Config {
  const cfg = defaults();
  if (env.HONGYAN_CONFIG) {
    let file: unknown;
    try {
      file = JSON.parse(readFileSync(resolve(env.HONGYAN_CONFIG), 'utf8'));
    } catch (err) {
      throw new ConfigError(`HONGYAN_CONFIG ${env.HONGYAN_CONFIG}: ${(err as Error).message}`);
    }
    merge(cfg, file, 'config');
  }
  merge(cfg, fromEnv(env), 'env');
  merge(cfg, overrides, 'overrides');
  const raw = cfg.channels as unknown as Array<Record<string, unknown>>;
  const channels: Array<Record<string, unknown>> =
    raw.length > 0
      ? raw.map((c, i) => ({ id: `ch${i + 1}`, ...c }))
      : [{ ...BUILT_IN_SIMULATOR, use: 'both' }];
  if (
    raw.length > 0 &&
    cfg.roles.includes('simulator') &&
    !channels.some((c) => (c.use ?? 'live') !== 'live')
  )
    // Test keys' messages never reach a carrier: they go to the embedded simulator.
    channels.push({
      ...BUILT_IN_SIMULATOR,
      id: 'sim-test',
      name: 'Built-in simulator (test keys)',
      use: 'test',
    });
  cfg.channels = channels.map((c) => {
    try {
      return validateChannelConfig(c);
    } catch (err) {
      if (err instanceof ChannelConfigError)
        throw new ConfigError(`channel ${String(c.id)}: ${err.message}`);
      throw err;
    }
  });
  validate(cfg);
  return cfg;
}

function fromEnv(env: Env): DeepPartial<Config> {
  const out: DeepPartial<Config> & Record<string, unknown> = {};
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
    return Number(v);
  };
  const http: Record<string, unknown> = {};
  if (env.HONGYAN_HTTP_HOST) http.host = env.HONGYAN_HTTP_HOST;
  if (int('HONGYAN_HTTP_PORT') !== undefined) http.port = int('HONGYAN_HTTP_PORT');
  if (env.HONGYAN_CONSOLE === 'off') http.console = false;
  else if (env.HONGYAN_CONSOLE === 'on') http.console = true;
  else if (env.HONGYAN_CONSOLE) throw new ConfigError('HONGYAN_CONSOLE must be on or off');
  if (Object.keys(http).length) out.http = http;
  const sim: Record<string, unknown> = {};
  if (int('HONGYAN_SIMULATOR_PORT') !== undefined) sim.port = int('HONGYAN_SIMULATOR_PORT');
  if (int('HONGYAN_SIMULATOR_RECEIPT_DELAY_MS') !== undefined)
    sim.receiptDelayMs = int('HONGYAN_SIMULATOR_RECEIPT_DELAY_MS');
  if (env.HONGYAN_SIMULATOR_STATE_FILE) sim.stateFile = env.HONGYAN_SIMULATOR_STATE_FILE;
  if (int('HONGYAN_SIMULATOR_RECEIPT_MAX_AGE_SECONDS') !== undefined)
    sim.receiptMaxAgeSeconds = int('HONGYAN_SIMULATOR_RECEIPT_MAX_AGE_SECONDS');
  if (Object.keys(sim).length) out.simulator = sim;
  const smppServer: Record<string, unknown> = {};
  if (env.HONGYAN_SMPP_HOST) smppServer.host = env.HONGYAN_SMPP_HOST;
  if (int('HONGYAN_SMPP_PORT') !== undefined) smppServer.port = int('HONGYAN_SMPP_PORT');
  if (Object.keys(smppServer).length) out.smpp = smppServer;
  const cmppServer: Record<string, unknown> = {};
  if (env.HONGYAN_CMPP_HOST) cmppServer.host = env.HONGYAN_CMPP_HOST;
  if (int('HONGYAN_CMPP_PORT') !== undefined) cmppServer.port = int('HONGYAN_CMPP_PORT');
  if (Object.keys(cmppServer).length) out.cmpp = cmppServer;
  if (env.HONGYAN_DATA_DIR) out.dataDir = env.HONGYAN_DATA_DIR;
  if (env.DATABASE_URL) out.databaseUrl = env.DATABASE_URL;
  if (env.HONGYAN_DEFAULT_REGION) out.defaultRegion = env.HONGYAN_DEFAULT_REGION;
  if (env.HONGYAN_LOG_LEVEL) out.logLevel = env.HONGYAN_LOG_LEVEL as Config['logLevel'];
  if (env.HONGYAN_NODE_ID) out.nodeId = env.HONGYAN_NODE_ID;
  if (env.HONGYAN_ENCRYPTION_KEYS) out.security = { encryptionKeys: env.HONGYAN_ENCRYPTION_KEYS };
  if (env.HONGYAN_ROLES) out.roles = env.HONGYAN_ROLES.split(',').map((r) => r.trim()) as Role[];
  if (env.HONGYAN_WEBHOOK_ALLOWED_TARGETS !== undefined)
    out.webhooks = {
      allowedTargets: env.HONGYAN_WEBHOOK_ALLOWED_TARGETS.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    };
  return out;
}

function merge(
  target: Record<string, unknown> | Config,
  source: unknown,
  where: string,
  path = '',
): void {
  if (source === undefined) return;
  if (!isPlainObject(source))
    throw new ConfigError(`${where}: ${path || 'root'} must be an object`);
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in t)) throw new ConfigError(`${where}: unknown option "${here}"`);
    if (value === undefined) continue;
    const current = t[key];
    if (isPlainObject(current)) merge(current, value, where, here);
    else t[key] = value;
  }
}

function validate(cfg: Config): void {
  const fail = (msg: string): never => {
    throw new ConfigError(msg);
  };
  const port = (v: unknown, name: string) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535
      ? undefined
      : fail(`${name} must be a port number 0-65535`);
  port(cfg.http.port, 'http.port');
  port(cfg.simulator.port, 'simulator.port');
  if (
    cfg.simulator.stateFile !== null &&
    (typeof cfg.simulator.stateFile !== 'string' || cfg.simulator.stateFile === '')
  )
    fail('simulator.stateFile must be a file path (null = in the data dir)');
  if (
    !Number.isSafeInteger(cfg.simulator.receiptMaxAgeSeconds) ||
    cfg.simulator.receiptMaxAgeSeconds < 1
  )
    fail('simulator.receiptMaxAgeSeconds must be a whole number of seconds, at least 1');
  port(cfg.smpp.port, 'smpp.port');
  port(cfg.cmpp.port, 'cmpp.port');
  if (!/^[A-Z]{2}$/.test(cfg.defaultRegion))
    fail(`defaultRegion must be a two-letter region code like CN, got "${cfg.defaultRegion}"`);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(cfg.logLevel))
    fail(`logLevel "${cfg.logLevel}" is not a log level`);
  for (const r of cfg.roles)
    if (!ALL_ROLES.includes(r)) fail(`unknown role "${r}" (roles: ${ALL_ROLES.join(', ')})`);
  if (cfg.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(cfg.databaseUrl))
    fail('DATABASE_URL must be a postgres:// URL (unset = SQLite in the data dir)');
  if (!Number.isInteger(cfg.messages.maxRecipients) || cfg.messages.maxRecipients < 1)
    fail('messages.maxRecipients must be ≥ 1');
  for (const [section, values] of [
    ['limits', cfg.limits],
    ['webhooks', cfg.webhooks],
    ['stream', cfg.stream],
  ] as const)
    for (const [k, v] of Object.entries(values))
      if (typeof v === 'number' && !(Number.isFinite(v) && v > 0))
        fail(`${section}.${k} must be a number > 0, got ${String(v)}`);
  if (
    !Number.isInteger(cfg.messages.maxParts) ||
    cfg.messages.maxParts < 1 ||
    cfg.messages.maxParts > 255
  )
    fail('messages.maxParts must be 1-255');
  if (
    !Array.isArray(cfg.webhooks.allowedTargets) ||
    !cfg.webhooks.allowedTargets.every((t) => typeof t === 'string')
  )
    fail('webhooks.allowedTargets must be a list of CIDR ranges or host names');
  try {
    new EgressPolicy(cfg.webhooks.allowedTargets);
  } catch (err) {
    if (err instanceof EgressPolicyError) fail(`webhooks.allowedTargets: ${err.message}`);
    throw err;
  }
  for (const [k, v] of Object.entries(cfg.login))
    if (!(Number.isFinite(v) && v > 0)) fail(`login.${k} must be a number > 0, got ${String(v)}`);
  const ids = new Set<string>();
  for (const ch of cfg.channels) {
    if (ids.has(ch.id)) fail(`channel id "${ch.id}" appears twice`);
    ids.add(ch.id);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends Array<infer U>
    ? Array<DeepPartial<U>>
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};
