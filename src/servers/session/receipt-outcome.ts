// What a receipt says whatever the protocol carries it in (SMPP deliver_sm, CMPP status report):
// whether the client asked for it, the stat word (SMPP 3.4 Appendix B; CMPP reports use the
// same words) and the carrier's error for a Hongyan final status, and the receipts' date form.

/** Does a message that ended `status` get a receipt, given what the client asked for? */
export function wantsReceipt(request: number, status: string): boolean {
  if (request === 1) return true;
  if (request === 2) return status !== 'delivered';
  return false;
}

export interface ReceiptOutcome {
  /** The 7-character stat word. */
  stat: 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'UNKNOWN';
  /** message_state TLV (0x0427): 2 DELIVERED, 3 EXPIRED, 5 UNDELIVERABLE, 7 UNKNOWN, 8 REJECTED. */
  messageState: number;
  /** Three characters: the carrier's err when it gave one, else 000. */
  err: string;
}

/**
 * Hongyan final status → receipt stat, message_state and err. `failed` (the carrier refused the
 * submit, or nothing could take it) is UNDELIV, except a review that rejected the content, which
 * is REJECTD like a carrier's policy rejection. `errorDetail` holds `err:NNN` when a carrier
 * receipt gave one.
 */
export function receiptOutcome(
  status: string,
  errorCode: string | null,
  errorDetail: string | null,
): ReceiptOutcome {
  const err = carrierErr(errorDetail);
  switch (status) {
    case 'delivered':
      return { stat: 'DELIVRD', messageState: 2, err: '000' };
    case 'expired':
      return { stat: 'EXPIRED', messageState: 3, err };
    case 'rejected':
      return { stat: 'REJECTD', messageState: 8, err };
    case 'unknown':
      return { stat: 'UNKNOWN', messageState: 7, err };
    case 'failed':
      return errorCode === 'content_rejected'
        ? { stat: 'REJECTD', messageState: 8, err }
        : { stat: 'UNDELIV', messageState: 5, err };
    default:
      return { stat: 'UNDELIV', messageState: 5, err };
  }
}

function carrierErr(detail: string | null): string {
  const m = detail === null ? null : /^err:\s*([0-9A-Za-z]{1,3})/.exec(detail);
  return m ? (m[1] as string).padStart(3, '0') : '000';
}

/** YYMMDDhhmm in UTC, the receipt text's date form. */
export function yymmddhhmm(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    p(d.getUTCFullYear() % 100) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes())
  );
}
