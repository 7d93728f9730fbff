// The channel as GET /v1/admin/channels shows it (src/servers/http/channels.ts): its config without
// the password (passwordSet instead), where it came from, and its live state on the answering node.
import type { Tone } from '../../../components/ToneTag.tsx';

export interface ChannelStatusView {
  state: 'bound' | 'connecting' | 'down' | 'stopped' | 'disabled' | 'unknown';
  pausedUntil?: string | null;
  bindsUp?: number;
  binds?: number;
  rate?: number;
  inFlight?: number;
  waiting?: number;
}

export interface ChannelView {
  id: string;
  name: string;
  kind: 'smpp' | 'cmpp' | 'simulator';
  host: string;
  port: number;
  binds: number;
  window: number;
  throughput: number;
  sourceAddr: string;
  use: 'live' | 'test' | 'both';
  enabled: boolean;
  passwordSet: boolean;
  source: 'file' | 'api';
  updatedAt: string;
  status: ChannelStatusView;
  [option: string]: unknown;
}

export interface Incident {
  id: string;
  channel: string;
  kind: string;
  detail: string | null;
  node: string;
  startedAt: string;
  endedAt: string | null;
  seconds: number | null;
}

/** The tag tone of a channel state. */
export function stateTone(s: ChannelStatusView): Tone {
  if (s.pausedUntil) return 'warning';
  switch (s.state) {
    case 'bound':
      return 'success';
    case 'connecting':
      return 'processing';
    case 'down':
      return 'error';
    default:
      return 'default';
  }
}

/** The catalog key of a channel state: a paused channel is bound but out of routing. */
export function stateKey(s: ChannelStatusView): string {
  return s.pausedUntil ? 'paused' : s.state;
}
