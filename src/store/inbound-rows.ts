// The shapes of inbound (MO) messages as the store takes and returns them, and the routing rows
// (extension codes, keywords). store/inbound.ts reads and writes them.
import type { Concat, HeldSegment } from '../core/inbound/reassembly.ts';
import type { BodyCipher } from '../security/body-cipher.ts';

/** One deliver_sm / CMPP_DELIVER as a channel reported it (a whole message or one segment). */
export interface IncomingInbound {
  id: string;
  channelId: string;
  from: string;
  to: string;
  /** The text of this segment (the UDH removed). */
  text: string;
  concat: Concat | null;
  receivedAt: number;
}

/** A set of segments: one long message from one sender on one channel. */
export interface SegmentKey {
  channelId: string;
  from: string;
  ref: number;
  total: number;
}

export interface HeldSegmentRow extends HeldSegment {
  to: string;
}

export type RoutedBy = 'extension' | 'keyword' | 'recent';

export interface NewInbound {
  id: string;
  channelId: string;
  from: string;
  to: string;
  text: string;
  receivedAt: number;
  tenantId: string | null;
  routedBy: RoutedBy | null;
  routeKey: string | null;
  subCode: string | null;
  partsTotal: number;
  partsReceived: number;
}

export type InboundView = NewInbound;

export interface InboundFilter {
  limit: number;
  /** Only this tenant's; with `unassigned`, only those of no tenant. */
  tenantId?: string;
  unassigned?: boolean;
  from?: string;
  to?: string;
  /** received_at ≥ since (epoch ms). */
  since?: number;
  /** The last id of the previous page (newest first). */
  after?: string;
}

export interface ExtensionRow {
  tenantId: string;
  code: string;
  assignedBy: 'auto' | 'operator';
  updatedAt: number;
}

export interface KeywordRow {
  keyword: string;
  tenantId: string;
  createdAt: number;
}

/**
 * The text of an inbound_messages row, for those who read the table themselves (the outbox
 * readers: webhooks, the live stream, the tenants' SMPP binds). Rows from before encryption, or
 * written without keys, have no key id and are returned as stored.
 */
export function inboundText(
  cipher: BodyCipher,
  row: { id: string; text: string; text_key_id: string | null },
): string {
  return cipher.open(row.text, row.text_key_id, row.id);
}

/** An inbound_messages row as tenants and services see it (its text opened). */
export function inboundView(
  cipher: BodyCipher,
  r: {
    id: string;
    channel_id: string;
    from: string;
    to: string;
    text: string;
    text_key_id: string | null;
    tenant_id: string | null;
    received_at: number;
    sub_code: string | null;
    routed_by: string | null;
    route_key: string | null;
    parts_total: number;
    parts_received: number;
  },
): InboundView {
  return {
    id: r.id,
    channelId: r.channel_id,
    from: r.from,
    to: r.to,
    text: inboundText(cipher, r),
    tenantId: r.tenant_id,
    receivedAt: Number(r.received_at),
    subCode: r.sub_code,
    routedBy: r.routed_by as RoutedBy | null,
    routeKey: r.route_key,
    partsTotal: Number(r.parts_total),
    partsReceived: Number(r.parts_received),
  };
}
