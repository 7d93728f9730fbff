// The submit window a carrier driver keeps over its binds (SMPP 3.4 §2.6 "windowing", CMPP 3.0
// §6.2 sliding window): parts wait in one queue; the pump sends each to the least busy bind that is
// up and has room in its window, as the channel's token bucket (core/channels/send-rate.ts)
// allows; an answer, a timeout or a lost connection releases the slot. Both drivers use it, so
// the two protocols wait, pick binds and give up in exactly the same way.
import { SendRate } from '../core/channels/send-rate.ts';
import { failure, type SubmitOutcome } from './channel.ts';

/** Something the driver will answer: a part waiting to be sent, or one the carrier has. */
export interface Answerable {
  resolve(outcome: SubmitOutcome): void;
}

interface InFlight extends Answerable {
  sentAt: number;
}

export interface SubmitWindowOptions<W extends Answerable> {
  /** Outstanding submits per bind. */
  window: number;
  binds: number;
  /** Messages per second for the whole channel. */
  throughput: number;
  /** The bind can take a submit now (bound / logged in, with a session). */
  isUp(bind: number): boolean;
  /** Writes the submit on the bind: its sequence number, or null when the socket is not writable. */
  send(bind: number, item: W): number | null;
  /** A throttled answer just lowered the rate to `rate` per second. */
  slowedDown(rate: number): void;
  /** The response PDU's name, for the timeout's detail: 'submit_sm_resp', 'SUBMIT_RESP'. */
  answerName: string;
}

export class SubmitWindow<W extends Answerable> {
  /** The token bucket, halved when the carrier throttles (AIMD). */
  readonly rate: SendRate;
  #waiting: W[] = [];
  readonly #inFlight: Map<number, InFlight>[];
  #pumpTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: SubmitWindowOptions<W>) {
    // Burst at most one window per bind: the limit holds over any second.
    this.rate = new SendRate(o.throughput, o.window * o.binds, Date.now());
    this.#inFlight = Array.from({ length: Math.max(1, o.binds) }, () => new Map());
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Submits the carrier has and has not answered yet, over all binds. */
  outstanding(): number {
    let n = 0;
    for (const m of this.#inFlight) n += m.size;
    return n;
  }

  /** Room for one window in flight and two more queued per bind that is up, so the next parts
   * are ready when answers come. */
  capacity(): number {
    let room = 0;
    this.#inFlight.forEach((m, bind) => {
      if (this.o.isUp(bind)) room += this.o.window * 3 - m.size;
    });
    return Math.max(0, room - this.#waiting.length);
  }

  enqueue(item: W): void {
    this.#waiting.push(item);
    this.pump();
  }

  /** Sends waiting parts while a bind has room and the bucket has tokens; else waits for tokens. */
  pump(): void {
    if (this.#waiting.length === 0) return;
    let outOfTokens = false;
    while (this.#waiting.length > 0) {
      const bind = this.#leastBusy();
      if (bind === null) break; // every window is full; an answer will pump again
      if (!this.rate.take(Date.now())) {
        outOfTokens = true;
        break;
      }
      this.#send(bind, this.#waiting.shift()!);
    }
    if (outOfTokens && !this.#pumpTimer) {
      this.#pumpTimer = setTimeout(() => {
        this.#pumpTimer = null;
        this.pump();
      }, this.rate.waitMs());
    }
  }

  /** The bind that is up with the fewest outstanding submits, if it has room in its window. */
  #leastBusy(): number | null {
    let best: number | null = null;
    for (let bind = 0; bind < this.#inFlight.length; bind++) {
      if (!this.o.isUp(bind)) continue;
      if (best === null || this.#inFlight[bind]!.size < this.#inFlight[best]!.size) best = bind;
    }
    return best !== null && this.#inFlight[best]!.size < this.o.window ? best : null;
  }

  #send(bind: number, item: W): void {
    const seq = this.o.send(bind, item);
    if (seq === null) {
      item.resolve({
        ok: false,
        reason: 'temporary',
        code: 'channel_down',
        commandStatus: null,
        detail: 'socket not writable',
      });
      return;
    }
    this.#inFlight[bind]!.set(seq, { resolve: item.resolve, sentAt: Date.now() });
  }

  /** The answer's slot, released; undefined when we had already given up on that submit. */
  release(bind: number, seq: number): Answerable | undefined {
    const m = this.#inFlight[bind]!;
    const f = m.get(seq);
    if (f) m.delete(seq);
    return f;
  }

  /**
   * The carrier answered submit `seq` on `bind` with `outcome`: the slot is released, a throttled
   * answer slows the channel down, and the next parts go. Nothing happens when we had already
   * given up on it (its receipt will still settle it).
   */
  settle(bind: number, seq: number, outcome: SubmitOutcome): void {
    const f = this.release(bind, seq);
    if (!f) return;
    if (!outcome.ok && outcome.reason === 'throttled' && this.rate.throttled(Date.now()))
      this.o.slowedDown(Math.round(this.rate.rate));
    f.resolve(outcome);
    this.pump();
  }

  /** Once a second: the rate climbs back, and submits unanswered for `timeoutSeconds` are given up. */
  sweep(now: number, timeoutSeconds: number): void {
    this.rate.recover(now);
    const outcome = failure(
      'unanswered',
      'response_timeout',
      `no ${this.o.answerName} within ${timeoutSeconds}s`,
    );
    const timeoutMs = timeoutSeconds * 1000;
    for (const m of this.#inFlight) {
      for (const [seq, f] of m) {
        if (f.sentAt >= now - timeoutMs) continue;
        m.delete(seq);
        f.resolve(outcome);
      }
    }
  }

  /** The bind's connection is gone: what it had in flight is answered with `outcome`. */
  failInFlight(bind: number, outcome: SubmitOutcome): void {
    const m = this.#inFlight[bind]!;
    if (m.size === 0) return;
    const all = [...m.values()];
    m.clear();
    for (const f of all) f.resolve(outcome);
  }

  /** Parts not yet sent go back to the dispatcher (retried, on another channel if routed). */
  failWaiting(outcome: SubmitOutcome): void {
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all) w.resolve(outcome);
  }

  /** Waits (bounded by `timeoutSeconds`) until the carrier has answered every submit it has,
   * while `connected()` holds. */
  async drain(timeoutSeconds: number, connected: () => boolean): Promise<void> {
    const until = Date.now() + timeoutSeconds * 1000;
    while (this.outstanding() > 0 && Date.now() < until && connected())
      await new Promise((r) => setTimeout(r, 20));
  }

  /** No more pumping on the token timer. */
  stopPumping(): void {
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
  }
}
