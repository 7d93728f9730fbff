// Webhooks (/v1/webhooks): endpoints (add, edit, enable/disable, test, rotate the signing secret,
// delete), each endpoint's deliveries with their attempts and re-send, all deliveries, and the
// account's callback secret for per-message callbackUrl deliveries.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Drawer,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tabs,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { DeliveryTable } from './developer/DeliveryTable.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { SecretOnce, type ShownSecret } from '../../components/SecretOnce.tsx';
import type { Delivery, WebhookEndpoint } from './developer/types.ts';
import { eventLabel, WebhookForm } from './developer/WebhookForm.tsx';
import { ToneTag } from '../../components/ToneTag.tsx';

const TABS = ['endpoints', 'deliveries', 'callback'] as const;

export default function Webhooks() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'endpoints';
  const canManage = session.can('keys.manage');
  const canReadDeliveries = session.can('messages.read');
  const [shown, setShown] = useState<ShownSecret | null>(null);

  return (
    <>
      <PageTitle
        title={t('developer:webhooks.title')}
        intro={
          <>
            {t('developer:webhooks.intro')}{' '}
            <a
              href="/docs#/webhooks"
              target="_blank"
              rel="noreferrer"
              style={{ textDecoration: 'underline' }}
            >
              {t('developer:docs.webhooks')}
            </a>
            {' · '}
            <a
              href="/docs"
              target="_blank"
              rel="noreferrer"
              style={{ textDecoration: 'underline' }}
            >
              {t('developer:docs.api')}
            </a>
          </>
        }
      />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(k === 'endpoints' ? {} : { tab: k }, { replace: true })}
          items={[
            {
              key: 'endpoints',
              label: t('developer:webhooks.tabs.endpoints'),
              children: (
                <Endpoints
                  canManage={canManage}
                  canReadDeliveries={canReadDeliveries}
                  onSecret={setShown}
                />
              ),
            },
            ...(canReadDeliveries
              ? [
                  {
                    key: 'deliveries',
                    label: t('developer:webhooks.tabs.deliveries'),
                    children: <DeliveryTable canResend={canManage} />,
                  },
                ]
              : []),
            ...(canManage
              ? [
                  {
                    key: 'callback',
                    label: t('developer:webhooks.tabs.callback'),
                    children: <CallbackSecret onSecret={setShown} />,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <SecretOnce secret={shown} onClose={() => setShown(null)} />
    </>
  );
}

function Endpoints({
  canManage,
  canReadDeliveries,
  onSecret,
}: {
  canManage: boolean;
  canReadDeliveries: boolean;
  onSecret: (s: ShownSecret) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi(
    (signal) => api.get<{ data: WebhookEndpoint[] }>('/v1/webhooks', undefined, signal),
    [],
  );
  const [form, setForm] = useState<{ editing: WebhookEndpoint | null } | null>(null);
  const [deliveriesOf, setDeliveriesOf] = useState<WebhookEndpoint | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function act<T>(key: string, fn: () => Promise<T>, then: (r: T) => void) {
    setError(null);
    setBusy(key);
    try {
      then(await fn());
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const secretOf = (title: string, secret: string) =>
    onSecret({
      title,
      hint: t('developer:webhooks.secretHint'),
      items: [{ label: t('developer:secret.value'), value: secret, testId: 'webhook-secret' }],
    });

  return (
    <>
      {canManage ? (
        <Space style={{ marginBottom: 12 }}>
          <Button type="primary" onClick={() => setForm({ editing: null })}>
            {t('developer:webhooks.create')}
          </Button>
        </Space>
      ) : null}
      <ProblemAlert error={error} />
      <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<WebhookEndpoint>
          rowKey="id"
          size="middle"
          dataSource={list.data?.data ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          columns={[
            {
              title: t('developer:webhooks.url'),
              dataIndex: 'url',
              render: (url: string, e) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text copyable={{ text: url }} style={{ wordBreak: 'break-all' }}>
                    {url}
                  </Typography.Text>
                  {e.description ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {e.description}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
            {
              title: t('developer:webhooks.events'),
              dataIndex: 'events',
              render: (events: string[]) =>
                events.map((e) => <ToneTag key={e}>{eventLabel(t, e)}</ToneTag>),
            },
            {
              title: t('developer:webhooks.statuses'),
              dataIndex: 'statuses',
              render: (s: string[]) =>
                s.map((x) => (
                  <ToneTag key={x} tone={x === 'all' || x === 'final' ? 'processing' : 'default'}>
                    {t(`developer:webhooks.statusSel.${x}`, { defaultValue: x })}
                  </ToneTag>
                )),
            },
            {
              title: t('developer:webhooks.state'),
              dataIndex: 'enabled',
              render: (enabled: boolean, e) =>
                canManage ? (
                  <Switch
                    checked={enabled}
                    loading={busy === `toggle:${e.id}`}
                    aria-label={`${t('developer:webhooks.enabled')} ${e.url}`}
                    checkedChildren={t('developer:webhooks.on')}
                    unCheckedChildren={t('developer:webhooks.off')}
                    onChange={(on) =>
                      act(
                        `toggle:${e.id}`,
                        () =>
                          api.patch(`/v1/webhooks/${encodeURIComponent(e.id)}`, { enabled: on }),
                        () =>
                          void message.success(
                            on
                              ? t('developer:webhooks.enabledMsg')
                              : t('developer:webhooks.disabled'),
                          ),
                      )
                    }
                  />
                ) : enabled ? (
                  <ToneTag tone="success">{t('developer:webhooks.on')}</ToneTag>
                ) : (
                  <ToneTag>{t('developer:webhooks.off')}</ToneTag>
                ),
            },
            {
              title: t('developer:webhooks.created'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('developer:webhooks.actions'),
              key: 'actions',
              fixed: 'right',
              width: 300,
              render: (_, e) => (
                <Space wrap size={[4, 4]}>
                  {canReadDeliveries ? (
                    <Button size="small" onClick={() => setDeliveriesOf(e)}>
                      {t('developer:webhooks.deliveries')}
                    </Button>
                  ) : null}
                  {canManage ? (
                    <>
                      <Button size="small" onClick={() => setForm({ editing: e })}>
                        {t('common:action.edit')}
                      </Button>
                      <Button
                        size="small"
                        loading={busy === `test:${e.id}`}
                        onClick={() =>
                          act(
                            `test:${e.id}`,
                            () =>
                              api.post<Delivery>(`/v1/webhooks/${encodeURIComponent(e.id)}/test`),
                            (d) => {
                              const last = d.attempts[d.attempts.length - 1];
                              const ms = formatNumber(last?.durationMs ?? 0);
                              if (d.status === 'delivered')
                                void message.success(
                                  t('developer:webhooks.testOk', { code: last?.statusCode, ms }),
                                );
                              else
                                void message.warning(
                                  t('developer:webhooks.testFailed', {
                                    reason: last?.statusCode
                                      ? `HTTP ${last.statusCode}`
                                      : (last?.error ?? d.lastError ?? d.status),
                                    ms,
                                  }),
                                );
                            },
                          )
                        }
                      >
                        {t('developer:webhooks.test')}
                      </Button>
                      <Popconfirm
                        title={t('developer:webhooks.rotateConfirm')}
                        description={t('developer:webhooks.rotateHint')}
                        okText={t('common:action.confirm')}
                        cancelText={t('common:action.cancel')}
                        onConfirm={() =>
                          act(
                            `rotate:${e.id}`,
                            () =>
                              api.post<WebhookEndpoint & { secret: string }>(
                                `/v1/webhooks/${encodeURIComponent(e.id)}/rotate-secret`,
                                {},
                              ),
                            (r) => secretOf(t('developer:webhooks.rotatedTitle'), r.secret),
                          )
                        }
                      >
                        <Button size="small">{t('developer:webhooks.rotate')}</Button>
                      </Popconfirm>
                      <Popconfirm
                        title={t('developer:webhooks.deleteConfirm')}
                        okText={t('developer:webhooks.delete')}
                        okButtonProps={{ danger: true }}
                        cancelText={t('common:action.cancel')}
                        onConfirm={() =>
                          act(
                            `delete:${e.id}`,
                            () => api.delete(`/v1/webhooks/${encodeURIComponent(e.id)}`),
                            () => void message.success(t('developer:webhooks.deleted')),
                          )
                        }
                      >
                        <Button size="small" danger>
                          {t('developer:webhooks.delete')}
                        </Button>
                      </Popconfirm>
                    </>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </PageState>
      <WebhookForm
        open={form !== null}
        editing={form?.editing ?? null}
        onClose={() => setForm(null)}
        onSaved={(saved) => {
          setForm(null);
          list.reload();
          if (saved.secret) secretOf(t('developer:webhooks.createdTitle'), saved.secret);
          else void message.success(t('developer:webhooks.saved'));
        }}
      />
      <Drawer
        open={deliveriesOf !== null}
        onClose={() => setDeliveriesOf(null)}
        title={t('developer:webhooks.deliveriesOf', { url: deliveriesOf?.url ?? '' })}
        size="large"
        destroyOnHidden
      >
        {deliveriesOf ? <DeliveryTable webhookId={deliveriesOf.id} canResend={canManage} /> : null}
      </Drawer>
    </>
  );
}

function CallbackSecret({ onSecret }: { onSecret: (s: ShownSecret) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function rotate() {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ secret: string }>('/v1/webhooks/callback-secret', {});
      onSecret({
        title: t('developer:callback.createdTitle'),
        hint: t('developer:webhooks.secretHint'),
        items: [{ label: t('developer:secret.value'), value: r.secret, testId: 'callback-secret' }],
      });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space orientation="vertical" style={{ maxWidth: 720 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('developer:callback.title')}
      </Typography.Title>
      <Typography.Paragraph>{t('developer:callback.intro')}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Popconfirm
        title={t('developer:callback.rotateConfirm')}
        okText={t('common:action.confirm')}
        cancelText={t('common:action.cancel')}
        onConfirm={rotate}
      >
        <Button type="primary" loading={busy}>
          {t('developer:callback.rotate')}
        </Button>
      </Popconfirm>
    </Space>
  );
}
