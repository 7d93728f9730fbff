// A tenant's submit_sm (SMPP 3.4 §4.4.1), read from its raw bytes (submit-sm.ts) and taken
// through the tenant session kit: one recipient, one message; the parts of a concatenated message
// held until complete and each answered its own id (`<id>-<seq>`). Parts answered ESME_ROK that
// never become a message get a REJECTD receipt if they asked for one.
import type { PDU } from 'smpp';
import { newId } from '../../core/ids.ts';
import { normaliseNumber } from '../../core/phone.ts';
import {
  ESME_RINVBNDSTS,
  ESME_RINVDCS,
  ESME_RINVMSGLEN,
  ESME_RMSGQFUL,
  ESME_ROK,
  ESME_RSYSERR,
  ESME_RTHROTTLED,
  commandStatusFor,
} from '../../protocols/smpp/command-status.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { BoundAccount } from '../session/adapter.ts';
import type { Held } from '../session/reassembly.ts';
import { classOf, recipientOf } from '../session/submission.ts';
import { refusedPartReceipt } from './deliver-sm.ts';
import { partId, receiptRequest, smppMessageId } from './receipt.ts';
import type { Conn, SmppAccount, SmppSessions } from './server.ts';
import {
  decodeText,
  parseSubmitSm,
  readSubmitUserData,
  supportedDataCoding,
  type SubmitSm,
} from './submit-sm.ts';

export interface PartMeta {
  receipt: number;
}

/** Where the receipts of a concatenated message's parts go if it never completes. */
export interface PartContext {
  to: string;
  sourceAddr: string;
}

export class SmppSubmits {
  constructor(
    private readonly kit: SmppSessions,
    private readonly accept: AcceptDeps,
    private readonly send: (conn: Conn, pdu: PDU) => boolean,
  ) {}

  onSubmit(conn: Conn, pdu: PDU): void {
    const answer = (status: number, messageId?: string) => {
      if (conn.state === 'closed') return;
      this.send(
        conn,
        status === ESME_ROK
          ? pdu.response({ message_id: messageId })
          : pdu.response({ command_status: status }),
      );
    };
    const bound = conn.account;
    if (conn.state !== 'bound' || !bound || conn.mode === 'receiver')
      return answer(ESME_RINVBNDSTS);
    const busy = this.kit.admitSubmit(conn);
    if (busy !== null) return answer(busy === 'window' ? ESME_RMSGQFUL : ESME_RTHROTTLED);
    const body = conn.lastBody;
    if (!body) return answer(ESME_RSYSERR);
    const parsed = parseSubmitSm(body);
    if (!parsed.ok) return answer(parsed.status);
    const sm = parsed.value;
    const ud = readSubmitUserData(sm);
    if (!ud.ok) return answer(ud.status);
    if (!supportedDataCoding(sm.dataCoding)) return answer(ESME_RINVDCS);
    const region = this.accept.defaultRegion;
    const to = recipientOf(sm.destTon, sm.destAddr, (n) => normaliseNumber(n, region).ok);
    const receipt = receiptRequest(sm.registeredDelivery);
    const concat = ud.value.concat;

    if (concat && concat.total > 1) {
      // UCS-2 parts are whole code units each (a surrogate pair may straddle two parts).
      if (sm.dataCoding === 8 && ud.value.bytes.length % 2 !== 0) return answer(ESME_RINVMSGLEN);
      const added = this.kit.holdPart(bound, {
        source: sm.sourceAddr,
        destination: to,
        concat,
        coding: sm.dataCoding,
        bytes: ud.value.bytes,
        meta: { receipt },
        context: { to, sourceAddr: sm.sourceAddr },
      });
      if (added.kind === 'full') return answer(ESME_RMSGQFUL);
      if (added.kind === 'mixed_coding') return answer(ESME_RINVDCS);
      const id = partId(added.held.messageId, concat.seq);
      if (added.kind === 'held') return answer(ESME_ROK, id);
      const text = decodeText(sm.dataCoding, added.bytes);
      // The message's receipt wish: "always" if any part asked for it, else "on failure" if any did.
      const asks = [...added.held.parts.values()].map((p) => p.meta.receipt);
      const request = asks.includes(1) ? 1 : asks.includes(2) ? 2 : 0;
      if (!text.ok) {
        this.refuseHeld(bound, added.held, to, sm.sourceAddr, concat.seq);
        return answer(text.status);
      }
      return this.#submit(
        conn,
        sm,
        to,
        text.value,
        added.held.messageId,
        concat.total,
        request,
        (s) => {
          if (s !== ESME_ROK) this.refuseHeld(bound, added.held, to, sm.sourceAddr, concat.seq);
          answer(s, id);
        },
      );
    }

    const text = decodeText(sm.dataCoding, ud.value.bytes);
    if (!text.ok) return answer(text.status);
    const id = newId('msg');
    this.#submit(conn, sm, to, text.value, id, 1, receipt, (s) => answer(s, smppMessageId(id)));
  }

  #submit(
    conn: Conn,
    sm: SubmitSm,
    to: string,
    text: string,
    id: string,
    parts: number,
    receipt: number,
    done: (status: number) => void,
  ): void {
    const account = (conn.account as BoundAccount<SmppAccount>).account;
    this.kit.accept(
      conn,
      {
        ids: [id],
        to: [to],
        text,
        class: classOf(sm.serviceType),
        origin: {
          source: 'smpp',
          account: account.systemId,
          sourceAddr: sm.sourceAddr || null,
          receipt,
          parts,
        },
      },
      (codes) => {
        const code = codes[0] ?? null;
        done(code === null ? ESME_ROK : commandStatusFor(code));
      },
    );
  }

  /**
   * The parts of a concatenated message that were answered ESME_ROK but will never be sent (the
   * message was refused, or did not complete in time): a REJECTD receipt for each that asked.
   */
  refuseHeld(
    bound: BoundAccount<SmppAccount>,
    held: Held<PartMeta>,
    to: string,
    sourceAddr: string,
    exceptSeq: number | null,
  ): void {
    const now = Date.now();
    const fields = [...held.parts.values()]
      .filter((p) => p.seq !== exceptSeq && p.meta.receipt !== 0)
      .map((p) =>
        refusedPartReceipt({ id: partId(held.messageId, p.seq), to, sourceAddr, at: now }),
      );
    this.kit.sendUnrecorded(bound, fields);
  }
}
