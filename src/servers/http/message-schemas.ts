// The wire shapes of /v1/messages (TypeBox): the send body, a message, its timeline, the estimate.
import { Type } from 'typebox';
import { MESSAGE_STATUSES } from '../../core/message/status.ts';
import { STATUS_SELECTORS } from '../../core/webhooks/status-filter.ts';

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const SendBody = Type.Object(
  {
    to: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'One number or up to 10,000, in any common form; stored as E.164.',
      }),
    ),
    text: Type.Optional(
      Type.String({ description: 'The message; split into parts (GSM-7 160/153, UCS-2 70/67).' }),
    ),
    clientRef: Type.Optional(
      Type.String({ maxLength: 64, description: 'Your own reference, searchable.' }),
    ),
    class: Type.Optional(
      Type.String({
        enum: ['verification', 'notification', 'marketing'],
        description: 'Priced by class; default notification.',
      }),
    ),
    templateId: Type.Optional(
      Type.String({ maxLength: 40, description: 'An approved template, instead of text.' }),
    ),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), {
        description: 'The template variables.',
      }),
    ),
    partial: Type.Optional(
      Type.Boolean({
        description:
          'When the balance does not cover everyone: send to those it covers (in order) and reject the rest, instead of refusing the request.',
      }),
    ),
    callbackUrl: Type.Optional(
      Type.String({
        maxLength: 2048,
        description:
          "An http(s) URL that gets these messages' status events instead of your webhook endpoints, signed with your callback secret (docs/webhooks.md).",
      }),
    ),
    callbackStatuses: Type.Optional(
      Type.Array(Type.String({ enum: [...STATUS_SELECTORS] }), {
        minItems: 1,
        maxItems: STATUS_SELECTORS.length,
        uniqueItems: true,
        description:
          'Which status events the callbackUrl gets: all (default), final (only the final status), or statuses by name (docs/webhooks.md).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MoneySchema = Type.Object({ amount: Type.String(), currency: Type.String() });

export const Accepted = Type.Object({
  batchId: Type.String(),
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      to: Type.String(),
      status: Type.String(),
      parts: Type.Integer(),
      encoding: Type.String(),
      price: MoneySchema,
    }),
  ),
  rejected: Type.Array(
    Type.Object({ to: Type.String(), code: Type.String(), detail: Type.String() }),
  ),
});

export const Part = Type.Object({
  seq: Type.Integer(),
  status: Type.String(),
  carrierId: Nullable(Type.String()),
  stat: Nullable(Type.String()),
  err: Nullable(Type.String()),
  commandStatus: Nullable(Type.Integer()),
  submittedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
});

export const Message = Type.Object({
  id: Type.String(),
  batchId: Type.String(),
  clientRef: Nullable(Type.String()),
  to: Type.String(),
  status: Type.String({ enum: [...MESSAGE_STATUSES] }),
  parts: Type.Integer(),
  encoding: Type.String(),
  channel: Nullable(Type.String()),
  class: Type.String(),
  price: MoneySchema,
  pricePerPart: MoneySchema,
  charged: MoneySchema,
  compliance: Nullable(
    Type.Object(
      {
        rule: Type.String(),
        category: Type.String(),
        action: Type.String(),
        term: Type.String(),
        matched: Type.String(),
      },
      { description: 'The content rule that held this message, and the text it matched.' },
    ),
  ),
  billing: Type.String({
    description: 'held (reserved), settled (charged and/or released), free (test key)',
  }),
  error: Nullable(
    Type.Object({
      code: Type.String(),
      detail: Nullable(Type.String()),
      category: Type.String({
        description:
          'Whose fault: invalid_number, handset, recipient_blocked, content, carrier, platform, expired',
      }),
    }),
  ),
  createdAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  text: Type.Optional(
    Type.String({
      description:
        'With ?include=text: the text as the recipient got it, signature and opt-out hint included. Each read is audited (messages.read_text).',
    }),
  ),
  partDetails: Type.Optional(Type.Array(Part)),
  events: Type.Optional(
    Type.Array(
      Type.Object({
        at: Type.String(),
        type: Type.String({
          enum: ['accepted', 'status', 'submitted', 'submit_failed', 'receipt'],
          description:
            'accepted (first status: queued or held), status (a later status change), submitted / submit_failed (a part at the carrier), receipt (a delivery receipt, intermediate ones included)',
        }),
        status: Nullable(Type.String()),
        part: Nullable(Type.Integer()),
        detail: Nullable(
          Type.String({
            description:
              'submitted: carrier id; receipt: stat and err; submit_failed: command_status',
          }),
        ),
      }),
      { description: 'With ?include=events: what happened to the message, in time order.' },
    ),
  ),
});

export const MoneyOrNull = Nullable(MoneySchema);
export const Refused = Type.Array(
  Type.Object({ input: Type.String(), code: Type.String(), detail: Type.String() }),
);
export const EstimateSchema = Type.Object({
  recipients: Type.Object({
    submitted: Type.Integer(),
    valid: Type.Integer({ description: 'Would get a message (before the balance is considered).' }),
    duplicates: Type.Integer(),
    invalid: Refused,
    optedOut: Type.Integer(),
    blocked: Type.Integer(),
    refused: Type.Array(
      Type.Object({ input: Type.String(), code: Type.String(), detail: Type.String() }),
      { description: 'Every other recipient the send would refuse, with its code.' },
    ),
  }),
  class: Type.String(),
  text: Nullable(
    Type.String({
      description:
        'The text the first recipient would get: template filled, signature and opt-out hint added.',
    }),
  ),
  encoding: Nullable(Type.String()),
  parts: Nullable(Type.Integer({ description: 'Parts per message, for that text.' })),
  totalParts: Type.Integer(),
  pricePerPart: MoneyOrNull,
  total: MoneySchema,
  balance: MoneySchema,
  available: MoneySchema,
  balanceAfter: MoneySchema,
  affordable: Type.Boolean(),
  review: Type.Boolean({ description: 'The messages would wait for manual content review.' }),
  notBefore: Nullable(Type.String()),
  issues: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() })),
});
