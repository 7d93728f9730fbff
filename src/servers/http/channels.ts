// Carrier channels on the wire: operators list them with their live state, add, change, disable
// and remove them. Changes take effect on this node at once and on other nodes within seconds.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import {
  ChannelConfigError,
  CMPP_DEFAULTS,
  publicChannelConfig,
  SMPP_DEFAULTS,
  validateChannelConfig,
  type ChannelConfig,
} from '../../core/channels/channel-config.ts';
import type { Route } from '../../core/routing/routes.ts';
import type { ChannelStatus } from '../../services/channel-manager.ts';
import type { AuditStore, ChannelStore, StoredChannel } from '../../services/repositories.ts';
import { actorOf } from './auth.ts';

export interface ChannelAdminDeps {
  store: ChannelStore;
  audit: AuditStore;
  status(): ChannelStatus[];
  /** Apply the stored configs now (this node). */
  reload(): Promise<void>;
  routes(): Route[] | null;
}

const Id = Type.String({ minLength: 1, maxLength: 32 });
// Every option a channel of any kind has, with its JSON type: an unknown option is a 400 naming it
// (closed-schemas.ts); validateChannelConfig then checks the values, and options of another kind,
// and answers 422 invalid_channel with the field.
const CategoryRules = Type.Array(
  Type.Object({ stat: Type.String(), category: Type.String() }, { additionalProperties: false }),
  { maxItems: 200 },
);
const optionType = (v: unknown) =>
  Array.isArray(v)
    ? CategoryRules
    : typeof v === 'boolean'
      ? Type.Boolean()
      : typeof v === 'number'
        ? Type.Number()
        : Type.String();
const ConfigBody = Type.Object(
  Object.fromEntries(
    Object.entries({ ...SMPP_DEFAULTS, ...CMPP_DEFAULTS, id: '', port: 0 }).map(([k, v]) => [
      k,
      Type.Optional(optionType(v)),
    ]),
  ),
  { additionalProperties: false },
);

export function channelRoutes(app: FastifyInstance, deps: ChannelAdminDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const view = (s: StoredChannel) => {
    const st = deps.status().find((x) => x.id === s.config.id);
    return {
      ...publicChannelConfig(s.config),
      source: s.source,
      updatedAt: new Date(s.updatedAt).toISOString(),
      status: st
        ? { state: st.state, pausedUntil: st.pausedUntil, ...st.detail }
        : { state: s.config.enabled ? 'unknown' : 'disabled' },
    };
  };
  const check = (input: Record<string, unknown>, base?: ChannelConfig) => {
    try {
      return validateChannelConfig(input, base);
    } catch (err) {
      if (err instanceof ChannelConfigError)
        throw new DomainError('invalid_channel', err.message, { field: err.field });
      throw err;
    }
  };
  const find = async (id: string) => {
    const s = await deps.store.get(id);
    if (!s) throw new DomainError('not_found', `no channel ${id}`);
    return s;
  };

  r.get(
    '/v1/admin/channels',
    {
      config: { access: 'admin.channels' },
      schema: {
        summary: 'Carrier channels with their live state (secrets shown as set or not)',
        tags: ['admin', 'channels'],
      },
    },
    async () => ({ data: (await deps.store.list()).map(view) }),
  );

  r.get(
    '/v1/admin/channels/:id',
    {
      config: { access: 'admin.channels' },
      schema: {
        summary: 'One channel',
        tags: ['admin', 'channels'],
        params: Type.Object({ id: Id }),
      },
    },
    async (req) => view(await find(req.params.id)),
  );

  r.post(
    '/v1/admin/channels',
    {
      config: { access: 'admin.channels' },
      schema: {
        summary: 'Add a channel (smpp, cmpp or simulator); it connects at once',
        tags: ['admin', 'channels'],
        body: ConfigBody,
      },
    },
    async (req, reply) => {
      const config = check(req.body);
      if (!(await deps.store.create(config, Date.now())))
        throw new DomainError('conflict', `channel ${config.id} exists`, { field: 'id' });
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'channel.created',
        details: { channel: config.id, kind: config.kind, host: config.host, port: config.port },
      });
      await deps.reload();
      return reply.code(201).send(view((await deps.store.get(config.id))!));
    },
  );

  r.patch(
    '/v1/admin/channels/:id',
    {
      config: { access: 'admin.channels' },
      schema: {
        summary:
          'Change a channel (any option, e.g. {"enabled": false}); outstanding parts are answered first',
        tags: ['admin', 'channels'],
        params: Type.Object({ id: Id }),
        body: ConfigBody,
      },
    },
    async (req) => {
      const current = await find(req.params.id);
      if ('id' in req.body && req.body.id !== req.params.id)
        throw new DomainError('invalid_channel', 'a channel id cannot change', { field: 'id' });
      const config = check(req.body, current.config);
      await deps.store.update(config, Date.now());
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'channel.changed',
        // Which options changed, never their values (a password may be among them).
        details: { channel: config.id, fields: Object.keys(req.body) },
      });
      await deps.reload();
      return view((await deps.store.get(config.id))!);
    },
  );

  r.delete(
    '/v1/admin/channels/:id',
    {
      config: { access: 'admin.channels' },
      schema: {
        summary: 'Remove a channel (refused while a route names it)',
        tags: ['admin', 'channels'],
        params: Type.Object({ id: Id }),
      },
    },
    async (req, reply) => {
      await find(req.params.id);
      const using = (deps.routes() ?? []).filter((route) => targets(route).includes(req.params.id));
      if (using.length > 0)
        throw new DomainError(
          'channel_in_use',
          `routes ${using.map((u) => u.id).join(', ')} use channel ${req.params.id}; change them first`,
        );
      await deps.store.remove(req.params.id, Date.now());
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'channel.removed',
        details: { channel: req.params.id },
      });
      await deps.reload();
      return reply.code(204).send();
    },
  );
}

function targets(route: Route): string[] {
  const t = route.target;
  if (t.kind === 'channel') return [t.channel];
  if (t.kind === 'failover') return t.channels;
  return t.weights.map((w) => w.channel);
}
