// Types for the `smpp` package (node-smpp 0.5.1), which ships none. Only what Hongyan uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PduFields {
    [field: string]: unknown;
  }

  export class PDU {
    constructor(command: string, options?: PduFields);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    command_length: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: PduFields): PDU;
    toBuffer(): Buffer;
    static fromBuffer(buffer: Buffer): PDU | false;
    static maxLength: number;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export class Session extends EventEmitter {
    socket: Socket;
    server?: Server;
    paused: boolean;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver(options: PduFields, cb?: ResponseCallback): boolean;
    bind_transmitter(options: PduFields, cb?: ResponseCallback): boolean;
    bind_receiver(options: PduFields, cb?: ResponseCallback): boolean;
    submit_sm(options: PduFields, cb?: ResponseCallback): boolean;
    deliver_sm(options: PduFields, cb?: ResponseCallback): boolean;
    enquire_link(options?: PduFields | ResponseCallback, cb?: ResponseCallback): boolean;
    unbind(options?: PduFields | ResponseCallback, cb?: ResponseCallback): boolean;
    generic_nack(options?: PduFields): boolean;
  }

  export interface ConnectOptions {
    host?: string;
    port?: number;
    url?: string;
    auto_enquire_link_period?: number;
    connectTimeout?: number;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export function connect(options: ConnectOptions, listener?: () => void): Session;
  export function createServer(options: object, listener?: (session: Session) => void): Server;
  export function createServer(listener?: (session: Session) => void): Server;

  export const errors: Record<string, number>;
  export const consts: Record<string, unknown>;
  export const ESME_ROK: number;
  export const ESME_RINVCMDID: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RSYSERR: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RSUBMITFAIL: number;
  export const ESME_RINVBNDSTS: number;
  const smpp: {
    connect: typeof connect;
    createServer: typeof createServer;
    PDU: typeof PDU;
    Session: typeof Session;
    errors: Record<string, number>;
    [key: string]: unknown;
  };
  export default smpp;
}
