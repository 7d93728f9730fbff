// API keys (GET/POST/DELETE /v1/api-keys): the list with prefix, scopes, IP allow-list and last
// use; a new key is shown once in a modal, then never again; revoking asks first.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Popconfirm,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { SecretOnce, type ShownSecret } from '../../components/SecretOnce.tsx';
import { KEY_SCOPES, type ApiKey } from './developer/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { FormModal } from '../../components/FormModal.tsx';

interface NewKey {
  name?: string;
  kind: 'live' | 'test';
  scopes: string[];
  ipAllow: string[];
}

// The shapes the server accepts (core/security/access.ts isValidAllowEntry): IPv4, IPv4/bits, IPv6.
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
function validAllowEntry(v: string): boolean {
  const [net, bits] = v.split('/');
  if (bits !== undefined)
    return IPV4.test(net ?? '') && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
  return IPV4.test(v) || (/^[0-9a-f:]+$/i.test(v) && v.includes(':'));
}

export default function ApiKeys() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const keys = useApi(
    (signal) => api.get<{ data: ApiKey[] }>('/v1/api-keys', undefined, signal),
    [],
  );
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);

  const all = keys.data?.data ?? [];
  const rows = showRevoked ? all : all.filter((k) => !k.revokedAt);

  async function revoke(k: ApiKey) {
    setActionError(null);
    try {
      await api.delete(`/v1/api-keys/${encodeURIComponent(k.id)}`);
      void message.success(t('developer:apiKeys.revoked'));
      keys.reload();
    } catch (err) {
      setActionError(err);
    }
  }

  return (
    <>
      <PageTitle
        title={t('developer:apiKeys.title')}
        intro={
          <>
            {t('developer:apiKeys.intro')}{' '}
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
        extra={
          <Button type="primary" onClick={() => setCreating(true)} data-testid="create-key">
            {t('developer:apiKeys.create')}
          </Button>
        }
      />
      <Card>
        <Space style={{ marginBottom: 12 }}>
          <Switch
            checked={showRevoked}
            onChange={setShowRevoked}
            aria-label={t('developer:apiKeys.showRevoked')}
            id="show-revoked"
          />
          <label htmlFor="show-revoked">{t('developer:apiKeys.showRevoked')}</label>
        </Space>
        <ProblemAlert error={actionError} />
        <PageState loading={keys.loading && !keys.data} error={keys.error} onRetry={keys.reload}>
          <Table<ApiKey>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 960 }}
            columns={[
              {
                title: t('developer:apiKeys.name'),
                dataIndex: 'name',
                render: (name: string, k) => (
                  <Space orientation="vertical" size={0}>
                    <Typography.Text strong>{name}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {k.id}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('developer:apiKeys.prefix'),
                dataIndex: 'prefix',
                render: (p: string, k) => (
                  <Space>
                    <Typography.Text code>{p}…</Typography.Text>
                    {k.kind === 'test' ? (
                      <ToneTag tone="gold">{t('developer:apiKeys.kindTest')}</ToneTag>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t('developer:apiKeys.scopes'),
                dataIndex: 'scopes',
                render: (scopes: string[]) =>
                  scopes.map((s) => (
                    <ToneTag
                      key={s}
                      tone={s === 'manage' ? 'volcano' : s === 'send' ? 'processing' : 'default'}
                    >
                      {t(`developer:apiKeys.scope.${s}`, { defaultValue: s })}
                    </ToneTag>
                  )),
              },
              {
                title: t('developer:apiKeys.ipAllow'),
                dataIndex: 'ipAllow',
                render: (ips: string[]) =>
                  ips.length === 0 ? (
                    <Typography.Text type="secondary">
                      {t('developer:apiKeys.anyIp')}
                    </Typography.Text>
                  ) : (
                    ips.map((ip) => <ToneTag key={ip}>{ip}</ToneTag>)
                  ),
              },
              {
                title: t('developer:apiKeys.created'),
                dataIndex: 'createdAt',
                render: (v: string) => formatDateTime(v),
              },
              {
                title: t('developer:apiKeys.lastUsed'),
                dataIndex: 'lastUsedAt',
                render: (v: string | null) =>
                  v ? formatDateTime(v) : t('developer:apiKeys.never'),
              },
              {
                title: t('developer:status.label'),
                key: 'status',
                render: (_, k) =>
                  k.revokedAt ? (
                    <ToneTag>{t('developer:status.revoked')}</ToneTag>
                  ) : (
                    <ToneTag tone="success">{t('developer:status.active')}</ToneTag>
                  ),
              },
              {
                title: t('developer:apiKeys.actions'),
                key: 'actions',
                fixed: 'right',
                render: (_, k) =>
                  k.revokedAt ? null : (
                    <Popconfirm
                      title={t('developer:apiKeys.revokeConfirm', { name: k.name })}
                      description={t('developer:apiKeys.revokeHint')}
                      okText={t('developer:apiKeys.revoke')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common:action.cancel')}
                      onConfirm={() => revoke(k)}
                    >
                      <Button danger size="small" data-testid={`revoke-${k.id}`}>
                        {t('developer:apiKeys.revoke')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        </PageState>
      </Card>
      <CreateKey
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setCreating(false);
          keys.reload();
          setShown({
            title: t('developer:apiKeys.createdTitle'),
            hint: t('developer:apiKeys.createdHint', { name: created.name }),
            items: [
              { label: t('developer:secret.value'), value: created.key, testId: 'new-api-key' },
            ],
          });
        }}
      />
      <SecretOnce secret={shown} onClose={() => setShown(null)} />
    </>
  );
}

function CreateKey({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (k: ApiKey & { key: string }) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<NewKey>();
  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['name', 'kind', 'scopes', 'ipAllow'],
    async (v: NewKey) => {
      const created = await api.post<ApiKey & { key: string }>('/v1/api-keys', {
        ...(v.name?.trim() ? { name: v.name.trim() } : {}),
        kind: v.kind,
        scopes: v.scopes,
        ipAllow: v.ipAllow ?? [],
      });
      form.resetFields();
      onCreated(created);
    },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t('developer:apiKeys.create')}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      okText={t('common:action.create')}
      forceRender
    >
      <Form<NewKey>
        form={form}
        name="api-key"
        layout="vertical"
        onFinish={submit}
        initialValues={{ kind: 'live', scopes: ['send', 'read'], ipAllow: [] }}
      >
        <Form.Item label={t('developer:apiKeys.name')} name="name">
          <Input maxLength={100} placeholder={t('developer:apiKeys.namePlaceholder')} />
        </Form.Item>
        <Form.Item
          label={t('developer:apiKeys.kind')}
          name="kind"
          extra={t('developer:apiKeys.kindHelp')}
        >
          <Radio.Group
            options={[
              { value: 'live', label: t('developer:apiKeys.kindLive') },
              { value: 'test', label: t('developer:apiKeys.kindTest') },
            ]}
          />
        </Form.Item>
        <Form.Item
          label={t('developer:apiKeys.scopes')}
          name="scopes"
          rules={[
            {
              required: true,
              type: 'array',
              min: 1,
              message: t('developer:apiKeys.scopesRequired'),
            },
          ]}
        >
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
            {KEY_SCOPES.map((s) => (
              <Checkbox key={s} value={s}>
                {t(`developer:apiKeys.scope.${s}`)}
                <Typography.Text type="secondary">
                  {' '}
                  — {t(`developer:apiKeys.scopeHelp.${s}`)}
                </Typography.Text>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item
          label={t('developer:apiKeys.ipAllow')}
          name="ipAllow"
          extra={t('developer:apiKeys.ipAllowHelp')}
          rules={[
            {
              validator: (_, v: string[] | undefined) => {
                const bad = (v ?? []).find((x) => !validAllowEntry(x));
                return bad
                  ? Promise.reject(new Error(t('developer:apiKeys.ipInvalid', { value: bad })))
                  : Promise.resolve();
              },
            },
          ]}
        >
          <Select
            mode="tags"
            open={false}
            tokenSeparators={[',', ' ', '\n']}
            placeholder={t('developer:apiKeys.ipAllowPlaceholder')}
            aria-label={t('developer:apiKeys.ipAllow')}
          />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
