// The account's live events (GET /v1/events/stream, Server-Sent Events; docs/stream.md) for the
// pages that watch delivery as it happens. Without a resume point the stream starts "now". The
// browser's EventSource reconnects by itself after a dropped connection and sends Last-Event-ID,
// so nothing is missed; when the server refuses the stream instead (429 too many streams, a
// restart that answered 503), EventSource gives up, and we open a new one that resumes with
// ?lastEventId= from the last event we handled.
import { useEffect, useRef, useState } from 'react';
import { withQuery } from '../api/client.ts';

/** `message.status` data: the message as GET /v1/messages/{id} shows it, `status` the event's. */
export interface MessageStatusData {
  messageId: string;
  batchId: string;
  clientRef: string | null;
  to: string;
  status: string;
  parts: number;
  encoding: string;
  class: string;
  channel: string | null;
  price: { amount: string; currency: string };
  error: { code: string; detail: string | null; category: string } | null;
  submittedAt: string | null;
  doneAt: string | null;
}

export interface InboundData {
  id: string;
  from: string;
  to: string;
  text: string;
  receivedAt: string;
}

export type StreamEvent =
  | { seq: number; id: string; type: 'message.status'; createdAt: string; data: MessageStatusData }
  | { seq: number; id: string; type: 'inbound.received'; createdAt: string; data: InboundData };

export type StreamState = 'connecting' | 'open' | 'reconnecting';

const TYPES = ['message.status', 'inbound.received'] as const;
/** After the server refused the stream: wait, then try again (grows to 30 s). */
const RETRY_MS = [2000, 5000, 10_000, 30_000];

/**
 * Calls `onEvent` for every event as it arrives, in order, each once. Returns the connection's
 * state, for a "live / reconnecting" indicator. `enabled: false` closes the stream.
 */
export function useEventStream(
  onEvent: (e: StreamEvent) => void,
  opts: { enabled?: boolean } = {},
): StreamState {
  const enabled = opts.enabled ?? true;
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: string | undefined;
    let failures = 0;
    let stopped = false;

    const receive = (msg: MessageEvent<string>) => {
      // EventSource does not drop a repeat after its own reconnect; ids only grow, so we can.
      if (last !== undefined && msg.lastEventId && Number(msg.lastEventId) <= Number(last)) return;
      if (msg.lastEventId) last = msg.lastEventId;
      let body: Omit<StreamEvent, 'seq'>;
      try {
        body = JSON.parse(msg.data) as Omit<StreamEvent, 'seq'>;
      } catch {
        return;
      }
      handler.current({ ...body, seq: Number(msg.lastEventId) } as StreamEvent);
    };

    const open = () => {
      if (stopped) return;
      setState(failures === 0 ? 'connecting' : 'reconnecting');
      const es = new EventSource(withQuery('/v1/events/stream', { lastEventId: last }), {
        withCredentials: true,
      });
      source = es;
      es.onopen = () => {
        failures = 0;
        setState('open');
      };
      es.onerror = () => {
        if (es.readyState === EventSource.CONNECTING) {
          // The browser retries by itself (the server's `retry:` of 2 s), with Last-Event-ID.
          setState('reconnecting');
          return;
        }
        es.close();
        setState('reconnecting');
        const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
        failures += 1;
        timer = setTimeout(open, wait);
      };
      for (const type of TYPES) es.addEventListener(type, receive as EventListener);
    };
    open();

    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [enabled]);

  return state;
}
