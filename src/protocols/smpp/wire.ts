// What both ends of our SMPP use around the `smpp` package (node-smpp): reading a PDU's raw bytes
// as it arrives, and refusing a command with the right PDU. SMPP 3.4 §3.2 (the header), §4.3
// (generic_nack). Used by the tenant-facing server and the built-in SMSC simulator.
import type { Socket } from 'node:net';
import smpp, { type PDU } from 'smpp';

/**
 * Hands every PDU body node-smpp reads on `socket` to `onBody`. node-smpp reads a PDU as read(4)
 * (command_length) then read(command_length - 4) and emits 'pdu' right after, so the last body
 * read is the PDU's raw bytes. A command_length below the 16-octet header would make node-smpp
 * mis-read or stall: throw, which node-smpp turns into 'error'.
 */
export function captureRawBodies(socket: Socket, onBody: (body: Buffer) => void): void {
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    const chunk: unknown = read(size);
    if (Buffer.isBuffer(chunk)) {
      if (size === 4) {
        const length = chunk.readUInt32BE(0);
        if (length < 16) throw new Error(`command_length ${length} is shorter than the PDU header`);
      } else {
        onBody(chunk);
      }
    }
    return chunk;
  };
}

/** Ends the connection with a generic_nack (best effort): after a parse error it is finished. */
export function endWithNack(socket: Socket, status: number): void {
  if (socket.destroyed) return;
  if (socket.writable) {
    const nack = new smpp.PDU('generic_nack', {
      command_status: status,
      sequence_number: 0,
    }).toBuffer();
    socket.end(nack, () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  } else {
    socket.destroy();
  }
}

/** `<command>_resp` with an error status; generic_nack for commands that have no response. */
export function refusal(pdu: PDU, status: number): PDU {
  try {
    return pdu.response({ command_status: status });
  } catch {
    return new smpp.PDU('generic_nack', {
      command_status: status,
      sequence_number: pdu.sequence_number,
    });
  }
}
