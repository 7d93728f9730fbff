// The CMPP simulator's options, stats and the events it emits (cmpp-ismg.ts).
import type { AuthSourceAddrForm, CmppVersion, SubmitPdu } from '../protocols/cmpp/codec.ts';
import type { OutcomeRule } from './outcomes.ts';
import type { SimulatorLogger, SimulatorStats } from './carrier-core.ts';

export interface CmppSimulatorOptions {
  /** Listen address. Default '127.0.0.1'. */
  host?: string;
  /** Listen port; 0 (default) picks an ephemeral port, returned by start(). */
  port?: number;
  /**
   * SP_Id → shared secret. Undefined (default) accepts any SP and any authenticator. Otherwise an
   * unknown SP_Id gets Status 2 and a wrong AuthenticatorSource Status 3 (then the connection closes).
   * Source_Addr may be hashed padded to its 6 octets or not (codec.ts `AuthSourceAddrForm`).
   */
  credentials?: Record<string, string>;
  /** The secret AuthenticatorISMG is signed with for SPs not in `credentials` (default: the CMPP channel default). */
  secret?: string;
  /** Delay between the SUBMIT and its status report. Default 200 ms. */
  receiptDelayMs?: number;
  /** Delay before each SUBMIT_RESP (to hold a window open in tests). Default 0 (at once). */
  responseDelayMs?: number;
  /** Custom outcome rules, checked before the defaults (see outcomes.ts). */
  outcomes?: OutcomeRule[];
  /** Max unacknowledged report DELIVERs per connection; 0 = unlimited. Default 1000. */
  receiptWindow?: number;
  /** A report not acknowledged within this long is sent again (up to 5 times). Default 10 s. */
  receiptRetryMs?: number;
  /** The 22-bit ISMG code inside every Msg_Id. Default random per instance. */
  gatewayId?: number;
  /** Start hung: read and ignore everything after CONNECT (see setSilent). */
  silent?: boolean;
  logger?: SimulatorLogger;
}

export interface CmppSimulatorStats extends SimulatorStats {
  /** Open TCP connections, logged in or not. */
  connections: number;
  /** ACTIVE_TEST received. */
  activeTests: number;
  /** TERMINATE received from SPs. */
  terminates: number;
  /** The most SUBMITs any one connection had waiting for their SUBMIT_RESP at once. */
  maxOutstanding: number;
  /** Frames read and ignored while silent (lets a test know a PDU reached a hung ISMG). */
  ignored: number;
}

/** What arrived in a SUBMIT (emitted as 'submit'). */
export interface CmppSubmitEvent {
  sessionId: number;
  spId: string;
  version: CmppVersion;
  /** The SUBMIT_RESP Result sent back (0 = accepted). */
  result: number;
  /** The Msg_Id sent back (16 hex characters), or null when refused. */
  msgId: string | null;
  submit: SubmitPdu;
}

export interface CmppConnectEvent {
  sessionId: number;
  spId: string;
  version: number;
  /** CONNECT_RESP Status (0 = logged in). */
  status: number;
  /** How the SP hashed a Source_Addr shorter than 6 octets (both are accepted); null when the
   * authenticator was not checked (no `credentials`) or matched neither form. */
  authSourceAddr: AuthSourceAddrForm | null;
}

export interface CmppSimulatorEvents {
  submit: [CmppSubmitEvent];
  connect: [CmppConnectEvent];
}
