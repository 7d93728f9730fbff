// The SMPP simulator's options and the events it emits (smsc.ts).
import type { OutcomeRule } from './outcomes.ts';
import type { SimulatorLogger } from './carrier-core.ts';

export interface SimulatorOptions {
  /** Listen address. Default '127.0.0.1'. */
  host?: string;
  /** Listen port; 0 (default) picks an ephemeral port, returned by start(). */
  port?: number;
  /**
   * system_id → password. Undefined (default) accepts any credentials. Otherwise an unknown
   * system_id gets ESME_RINVSYSID (0x0F) and a wrong password ESME_RINVPASWD (0x0E).
   */
  accounts?: Record<string, string>;
  /** Delay between the submit and its receipt. Default 200 ms. */
  receiptDelayMs?: number;
  /** Custom outcome rules, checked before the defaults (see outcomes.ts). */
  outcomes?: OutcomeRule[];
  /** Format of the message_id in submit_sm_resp. Default 'hex'. */
  idFormat?: 'hex' | 'decimal';
  /**
   * Format of the id in receipts (TLV and text). 'same' (default) = as in submit_sm_resp; 'hex' /
   * 'decimal' convert, to imitate SMSCs whose receipt ids differ from their resp ids (Jasmin `dlr_msgid`).
   */
  dlrIdFormat?: 'same' | 'hex' | 'decimal';
  /** Max unacknowledged receipt deliver_sm per session; 0 = unlimited. Default 1000. */
  receiptWindow?: number;
  /** Pino-compatible logger. Default silent. */
  logger?: SimulatorLogger;
  /** Serve SMPP over TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /**
   * Keep the receipts owed in this journal file (created with mode 0600; `<file>.lock` holds it
   * for one process), so that they survive a stop or a crash and are delivered after a restart.
   * Undefined (default): in memory only, lost when the simulator stops.
   */
  stateFile?: string;
  /**
   * A receipt still owed this long after it fell due (no receiver of its system_id bound since) is
   * dropped, from memory and the journal. Default 48 h, Hongyan's receipt timeout.
   */
  receiptMaxAgeMs?: number;
  /** The clock (ms since the epoch), for tests. Default Date.now. */
  clock?: () => number;
}

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

/** What arrived in a submit_sm (emitted as 'submit'). */
export interface SubmitEvent {
  sessionId: number;
  systemId: string | null;
  sequenceNumber: number;
  /** The submit_sm_resp status sent back (0 = accepted). */
  commandStatus: number;
  /** The message_id sent back, or null when refused. */
  messageId: string | null;
  sourceAddr: string;
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  /** Raw short_message octets, UDH included (message_payload's when short_message is empty). */
  shortMessage: Buffer;
  /** The UDH (with its length octet) when esm_class has UDHI (0x40), else null. */
  udh: Buffer | null;
  /** The text as node-smpp decoded it (by data_coding), or null for binary data codings. */
  text: string | null;
}

export interface BindEvent {
  sessionId: number;
  systemId: string;
  mode: BindMode;
  /** bind_resp command_status (0 = bound). */
  commandStatus: number;
}

export interface SimulatorEvents {
  submit: [SubmitEvent];
  bind: [BindEvent];
}
