// Writes made in one tick go out in one syscall (bursts of submits, batches of receipt acks): the
// first write of a tick corks the socket and the next tick uncorks it.
import type { Writable } from 'node:stream';

export interface Corkable {
  corked: boolean;
}

export function corkForThisTick(holder: Corkable, socket: Writable): void {
  if (holder.corked) return;
  holder.corked = true;
  socket.cork();
  process.nextTick(() => {
    holder.corked = false;
    socket.uncork();
  });
}
