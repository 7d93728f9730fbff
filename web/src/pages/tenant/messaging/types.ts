// The API's shapes the messaging pages read (src/servers/http/messages.ts, compliance.ts).
import type { Money } from '../../../api/client.ts';

export interface MessageError {
  code: string;
  detail: string | null;
  category: string;
}

export interface PartDetail {
  seq: number;
  status: string;
  carrierId: string | null;
  stat: string | null;
  err: string | null;
  commandStatus: number | null;
  submittedAt: string | null;
  doneAt: string | null;
}

export interface TimelineEvent {
  at: string;
  type: 'accepted' | 'status' | 'submitted' | 'submit_failed' | 'receipt';
  status: string | null;
  part: number | null;
  detail: string | null;
}

export interface Message {
  id: string;
  batchId: string;
  clientRef: string | null;
  to: string;
  status: string;
  parts: number;
  encoding: string;
  channel: string | null;
  class: string;
  price: Money;
  pricePerPart: Money;
  charged: Money;
  billing: string;
  compliance: {
    rule: string;
    category: string;
    action: string;
    term: string;
    matched: string;
  } | null;
  error: MessageError | null;
  createdAt: string;
  submittedAt: string | null;
  doneAt: string | null;
  text?: string;
  partDetails?: PartDetail[];
  events?: TimelineEvent[];
}

export interface Template {
  id: string;
  name: string;
  body: string;
  variables: string[];
  class: string;
  status: string;
}

export interface Signature {
  id: string;
  text: string;
  default: boolean;
  status: string;
}

export interface Refused {
  input: string;
  code: string;
  detail: string;
}

export interface Estimate {
  recipients: {
    submitted: number;
    valid: number;
    duplicates: number;
    invalid: Refused[];
    optedOut: number;
    blocked: number;
    refused: Refused[];
  };
  class: string;
  text: string | null;
  encoding: string | null;
  parts: number | null;
  totalParts: number;
  pricePerPart: Money | null;
  total: Money;
  balance: Money;
  available: Money;
  balanceAfter: Money;
  affordable: boolean;
  review: boolean;
  notBefore: string | null;
  issues: Array<{ code: string; detail: string }>;
}

export interface Accepted {
  batchId: string;
  messages: Array<{
    id: string;
    to: string;
    status: string;
    parts: number;
    encoding: string;
    price: Money;
  }>;
  rejected: Array<{ to: string; code: string; detail: string }>;
}

/** What POST /v1/messages and its estimate take. */
export interface SendBody {
  to: string[];
  text?: string;
  templateId?: string;
  params?: Record<string, string>;
  class?: string;
  clientRef?: string;
}
