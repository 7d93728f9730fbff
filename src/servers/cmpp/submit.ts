// A CMPP SUBMIT (CMPP 3.0 CMPP_SUBMIT): up to 99 recipients, one message each through the
// tenant session kit's accept batcher; long messages held part by part until complete. Recipient
// i's Msg_Ids are each part's Msg_Id + i, saved before the messages so a report can never be
// read before them. Parts answered Result 0 that never become a message get a REJECTD report.
import { newId } from '../../core/ids.ts';
import { normaliseNumber } from '../../core/phone.ts';
import {
  MSG_FMT_UCS2,
  msgIdHex,
  type CmppPdu,
  type SubmitPdu,
} from '../../protocols/cmpp/codec.ts';
import {
  RESULT_BAD_DEST,
  RESULT_FLOW_CONTROL,
  RESULT_LENGTH,
  RESULT_OK,
  RESULT_OTHER,
  RESULT_STRUCTURE,
  resultFor,
} from '../../protocols/cmpp/results.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { Held } from '../session/reassembly.ts';
import { classOf, recipientOf } from '../session/submission.ts';
import type { BoundAccount, TenantAccount } from '../session/adapter.ts';
import { readUserData } from '../session/user-data.ts';
import { refusedReport } from './deliver.ts';
import { decodeMsgContent, supportedMsgFmt } from './msg-content.ts';
import { msgIdPlus, type MsgIdSource } from './msg-id.ts';
import type { CmppSessions, Conn } from './server.ts';

/** The Msg_Ids an SP was answered, by message (the CMPP outbox store satisfies it). */
export interface CmppMsgIdStore {
  saveCmppMsgIds(rows: Array<{ messageId: string; msgIds: string[] }>): Promise<void>;
  dropCmppMsgIds(messageIds: string[]): Promise<void>;
}

export interface PartMeta {
  receipt: number;
  /** Msg_Id answered to this part (recipient i has it + i). */
  msgId: Buffer;
}

export interface PartContext {
  to: string[];
  srcId: string;
}

type Recipient = { to: string; index: number };

const MAX_RECIPIENTS = 99;

export class CmppSubmits {
  constructor(
    private readonly kit: CmppSessions,
    private readonly store: CmppMsgIdStore,
    private readonly accept: AcceptDeps,
    private readonly msgIds: MsgIdSource,
    private readonly write: (conn: Conn, pdu: CmppPdu) => boolean,
  ) {}

  onSubmit(conn: Conn, pdu: SubmitPdu): void {
    const answer = (result: number, msgId: Buffer = Buffer.alloc(8)) => {
      if (conn.state === 'closed') return;
      this.write(conn, { command: 'submit_resp', sequenceId: pdu.sequenceId, msgId, result });
    };
    const bound = conn.account as BoundAccount<TenantAccount>;
    if (this.kit.admitSubmit(conn) !== null) return answer(RESULT_FLOW_CONTROL);
    const n = pdu.destTerminalIds.length;
    if (n === 0 || n > MAX_RECIPIENTS) return answer(RESULT_BAD_DEST);
    const region = this.accept.defaultRegion;
    const to = pdu.destTerminalIds.map((d) =>
      recipientOf(0, d.trim().replace(/^\+/, ''), (x) => normaliseNumber(x, region).ok),
    );
    if (new Set(to).size !== to.length) return answer(RESULT_BAD_DEST);
    if (!supportedMsgFmt(pdu.msgFmt)) return answer(RESULT_STRUCTURE);
    const ud = readUserData(pdu.msgContent, pdu.tpUdhi === 1);
    if (!ud.ok) return answer(RESULT_STRUCTURE);
    // CMPP 2.0 also had 2 ("make an SMC bill"): only 1 asks for a status report.
    const receipt = pdu.registeredDelivery === 1 ? 1 : 0;
    const concat = ud.value.concat;
    const msgId = this.msgIds.next(n);

    if (concat && concat.total > 1) {
      if (pdu.msgFmt === MSG_FMT_UCS2 && ud.value.bytes.length % 2 !== 0)
        return answer(RESULT_LENGTH);
      const added = this.kit.holdPart(bound, {
        source: pdu.srcId,
        destination: to.join(','),
        concat,
        coding: pdu.msgFmt,
        bytes: ud.value.bytes,
        meta: { receipt, msgId },
        context: { to, srcId: pdu.srcId },
      });
      if (added.kind === 'full') return answer(RESULT_FLOW_CONTROL);
      if (added.kind === 'mixed_coding') return answer(RESULT_STRUCTURE);
      if (added.kind === 'held') return answer(RESULT_OK, msgId);
      const held = added.held;
      const text = decodeMsgContent(pdu.msgFmt, added.bytes);
      const ordered = [...held.parts.values()].sort((a, b) => a.seq - b.seq);
      const request = ordered.some((p) => p.meta.receipt === 1) ? 1 : 0;
      const everyone = to.map((r, index) => ({ to: r, index }));
      if (!text.ok) {
        this.refuseHeld(bound, held, everyone, pdu.srcId, concat.seq);
        return answer(text.result);
      }
      const partIds = ordered.map((p) => p.meta.msgId);
      return this.#submit(conn, pdu, to, text.text, partIds, request, (r, refused) => {
        const who = r !== RESULT_OK ? everyone : refused.map((i) => everyone[i] as Recipient);
        this.refuseHeld(bound, held, who, pdu.srcId, r !== RESULT_OK ? concat.seq : null);
        answer(r, msgId);
      });
    }

    const text = decodeMsgContent(pdu.msgFmt, ud.value.bytes);
    if (!text.ok) return answer(text.result);
    this.#submit(conn, pdu, to, text.text, [msgId], receipt, (r, refused) => {
      if (r === RESULT_OK && refused.length > 0 && receipt === 1)
        this.#refusedReports(
          bound,
          refused.map((i) => ({ to: to[i] as string, msgId: msgIdPlus(msgId, i) })),
          pdu.srcId,
        );
      answer(r, msgId);
    });
  }

  /**
   * Parts of a long message answered Result 0 that will never be sent (refused, or incomplete in
   * time): a REJECTD report for each that asked, for each recipient (its index in the SUBMIT).
   */
  refuseHeld(
    bound: BoundAccount<TenantAccount>,
    held: Held<PartMeta>,
    list: Recipient[],
    srcId: string,
    exceptSeq: number | null,
  ): void {
    const out: Array<{ to: string; msgId: Buffer }> = [];
    for (const p of held.parts.values()) {
      if (p.seq === exceptSeq || p.meta.receipt !== 1) continue;
      for (const r of list) out.push({ to: r.to, msgId: msgIdPlus(p.meta.msgId, r.index) });
    }
    this.#refusedReports(bound, out, srcId);
  }

  /**
   * One message per recipient; recipient i's Msg_Ids are each part's Msg_Id + i. `done` gets
   * Result 0 when at least one recipient was accepted (with the indexes of those refused), else
   * the first refusal's Result.
   */
  #submit(
    conn: Conn,
    pdu: SubmitPdu,
    to: string[],
    text: string,
    partMsgIds: Buffer[],
    receipt: number,
    done: (result: number, refused: number[]) => void,
  ): void {
    const account = (conn.account as BoundAccount<TenantAccount>).account;
    const ids = to.map(() => newId('msg'));
    const rows = ids.map((messageId, i) => ({
      messageId,
      msgIds: partMsgIds.map((m) => msgIdHex(msgIdPlus(m, i))),
    }));
    // Counted in the window while the ids are saved too.
    conn.outstanding++;
    // The ids go in before the messages: a report can never be read before them.
    this.store.saveCmppMsgIds(rows).then(
      () => {
        conn.outstanding--;
        const origin = {
          source: 'cmpp' as const,
          account: account.systemId,
          sourceAddr: pdu.srcId || null,
          receipt,
          parts: partMsgIds.length,
        };
        const msg = { ids, to, text, class: classOf(pdu.serviceId), origin };
        this.kit.accept(conn, msg, (codes) => {
          const results = codes.map((c) => (c === null ? RESULT_OK : resultFor(c)));
          const refused = results.flatMap((r, j) => (r === RESULT_OK ? [] : [j]));
          if (refused.length > 0)
            void this.store
              .dropCmppMsgIds(refused.map((j) => ids[j] as string))
              .catch((err: unknown) => this.kit.log.error({ err }, 'dropping cmpp ids failed'));
          const ok = refused.length < to.length;
          done(ok ? RESULT_OK : (results[0] as number), ok ? refused : []);
        });
      },
      (err: unknown) => {
        conn.outstanding--;
        this.kit.log.error({ err, conn: conn.id }, 'saving cmpp Msg_Ids failed');
        done(RESULT_OTHER, []);
      },
    );
  }

  #refusedReports(
    bound: BoundAccount<TenantAccount>,
    reports: Array<{ to: string; msgId: Buffer }>,
    srcId: string,
  ): void {
    const now = Date.now();
    const fields = reports.map((r) =>
      refusedReport({ reportMsgId: r.msgId, to: r.to, srcId, at: now, msgId: this.msgIds.next() }),
    );
    this.kit.sendUnrecorded(bound, fields);
  }
}
