// SMPP/CMPP accounts (/v1/smpp-accounts): the list, a new account (its password chosen here and
// shown once after creation: the server keeps only a hash), the CMPP secret, deletion.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ConnectInfo } from './smpp/ConnectInfo.tsx';
import { SecretOnce, type ShownSecret } from '../../components/SecretOnce.tsx';
import { BIND_TYPES, type SmppAccount } from './developer/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { FormModal } from '../../components/FormModal.tsx';

interface NewAccount {
  systemId: string;
  password: string;
  bindTypes: string[];
  maxBinds: number;
  throughput: number;
  withCmpp: boolean;
  cmppSecret?: string;
}

// SMPP 3.4 §5.2.1/5.2.2 (as the API checks them): system_id up to 15 octets, password up to 8.
const SYSTEM_ID = /^[A-Za-z0-9_.-]{3,15}$/;
const CMPP_SECRET = /^[A-Za-z0-9!#$%&*+.=?@^_~-]{6,32}$/;
// No look-alike characters: the password is read off a screen and typed elsewhere.
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

function randomPassword(length = 8): string {
  const out: string[] = [];
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % PASSWORD_ALPHABET.length) && out.length < length)
        out.push(PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length]!);
    }
  }
  return out.join('');
}

export default function SmppAccounts() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi(
    (signal) => api.get<{ data: SmppAccount[] }>('/v1/smpp-accounts', undefined, signal),
    [],
  );
  const [creating, setCreating] = useState(false);
  const [cmppFor, setCmppFor] = useState<SmppAccount | null>(null);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const rows = (list.data?.data ?? []).filter((a) => !a.revokedAt);

  async function act(fn: () => Promise<unknown>, done: string) {
    setActionError(null);
    try {
      await fn();
      void message.success(done);
      list.reload();
    } catch (err) {
      setActionError(err);
    }
  }

  return (
    <>
      <PageTitle
        title={t('developer:smpp.title')}
        intro={t('developer:smpp.intro')}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('developer:smpp.create')}
          </Button>
        }
      />
      <ConnectInfo />
      <Card>
        <ProblemAlert error={actionError} />
        <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
          <Table<SmppAccount>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 900 }}
            columns={[
              {
                title: t('developer:smpp.systemId'),
                dataIndex: 'systemId',
                render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
              },
              {
                title: t('developer:smpp.bindTypes'),
                dataIndex: 'bindTypes',
                render: (v: string[]) =>
                  v.map((b) => (
                    <ToneTag key={b}>
                      {t(`developer:smpp.bindType.${b}`, { defaultValue: b })}
                    </ToneTag>
                  )),
              },
              {
                title: t('developer:smpp.maxBinds'),
                dataIndex: 'maxBinds',
                render: (v: number) => formatNumber(v),
              },
              {
                title: t('developer:smpp.throughput'),
                dataIndex: 'throughput',
                render: (v: number) => t('developer:smpp.perSecond', { n: formatNumber(v) }),
              },
              {
                title: t('developer:smpp.cmpp'),
                dataIndex: 'cmpp',
                render: (v: boolean) =>
                  v ? (
                    <ToneTag tone="success">{t('developer:smpp.cmppOn')}</ToneTag>
                  ) : (
                    <ToneTag>{t('developer:smpp.cmppOff')}</ToneTag>
                  ),
              },
              {
                title: t('developer:smpp.created'),
                dataIndex: 'createdAt',
                render: (v: string) => formatDateTime(v),
              },
              {
                title: t('developer:smpp.actions'),
                key: 'actions',
                fixed: 'right',
                render: (_, a) => (
                  <Space wrap>
                    <Button size="small" onClick={() => setCmppFor(a)}>
                      {a.cmpp ? t('developer:smpp.changeCmpp') : t('developer:smpp.setCmpp')}
                    </Button>
                    {a.cmpp ? (
                      <Popconfirm
                        title={t('developer:smpp.removeCmppConfirm')}
                        okText={t('common:action.confirm')}
                        cancelText={t('common:action.cancel')}
                        onConfirm={() =>
                          act(
                            () =>
                              api.put(`/v1/smpp-accounts/${encodeURIComponent(a.id)}/cmpp-secret`, {
                                cmppSecret: null,
                              }),
                            t('developer:smpp.cmppRemoved'),
                          )
                        }
                      >
                        <Button size="small">{t('developer:smpp.removeCmpp')}</Button>
                      </Popconfirm>
                    ) : null}
                    <Popconfirm
                      title={t('developer:smpp.revokeConfirm', { systemId: a.systemId })}
                      description={t('developer:smpp.revokeHint')}
                      okText={t('developer:smpp.revoke')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common:action.cancel')}
                      onConfirm={() =>
                        act(
                          () => api.delete(`/v1/smpp-accounts/${encodeURIComponent(a.id)}`),
                          t('developer:smpp.revoked'),
                        )
                      }
                    >
                      <Button size="small" danger>
                        {t('developer:smpp.revoke')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        </PageState>
      </Card>
      <CreateAccount
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(a, password) => {
          setCreating(false);
          list.reload();
          setShown({
            title: t('developer:smpp.createdTitle'),
            hint: t('developer:smpp.createdHint'),
            items: [
              { label: t('developer:smpp.systemId'), value: a.systemId, testId: 'smpp-system-id' },
              { label: t('developer:smpp.password'), value: password, testId: 'smpp-password' },
            ],
          });
        }}
      />
      <CmppSecret
        account={cmppFor}
        onClose={() => setCmppFor(null)}
        onSaved={() => {
          setCmppFor(null);
          void message.success(t('developer:smpp.cmppSaved'));
          list.reload();
        }}
      />
      <SecretOnce secret={shown} onClose={() => setShown(null)} />
    </>
  );
}

function CreateAccount({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (a: SmppAccount, password: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<NewAccount>();
  const withCmpp = Form.useWatch('withCmpp', form);

  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['systemId', 'password', 'bindTypes', 'maxBinds', 'throughput', 'cmppSecret'],
    async (v: NewAccount) => {
      const a = await api.post<SmppAccount>('/v1/smpp-accounts', {
        systemId: v.systemId,
        password: v.password,
        bindTypes: v.bindTypes,
        maxBinds: v.maxBinds,
        throughput: v.throughput,
        ...(v.withCmpp && v.cmppSecret ? { cmppSecret: v.cmppSecret } : {}),
      });
      form.resetFields();
      onCreated(a, v.password);
    },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t('developer:smpp.create')}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      okText={t('common:action.create')}
      forceRender
    >
      <Form<NewAccount>
        form={form}
        name="smpp-account"
        layout="vertical"
        onFinish={submit}
        initialValues={{
          bindTypes: ['transceiver'],
          maxBinds: 2,
          throughput: 100,
          withCmpp: false,
        }}
      >
        <Form.Item
          label={t('developer:smpp.systemId')}
          name="systemId"
          extra={t('developer:smpp.systemIdHelp')}
          rules={[
            { required: true, pattern: SYSTEM_ID, message: t('developer:smpp.systemIdInvalid') },
          ]}
        >
          <Input maxLength={15} autoComplete="off" />
        </Form.Item>
        <Form.Item
          label={t('developer:smpp.password')}
          required
          extra={t('developer:smpp.passwordHelp')}
        >
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item
              name="password"
              noStyle
              rules={[
                { required: true, min: 6, max: 8, message: t('developer:smpp.passwordInvalid') },
              ]}
            >
              <Input
                maxLength={8}
                autoComplete="new-password"
                aria-label={t('developer:smpp.password')}
              />
            </Form.Item>
            <Button onClick={() => form.setFieldsValue({ password: randomPassword() })}>
              {t('developer:smpp.generate')}
            </Button>
          </Space.Compact>
        </Form.Item>
        <Form.Item
          label={t('developer:smpp.bindTypes')}
          name="bindTypes"
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <Checkbox.Group
            options={BIND_TYPES.map((b) => ({
              value: b,
              label: t(`developer:smpp.bindType.${b}`),
            }))}
          />
        </Form.Item>
        <Space size="large">
          <Form.Item
            label={t('developer:smpp.maxBinds')}
            name="maxBinds"
            rules={[{ required: true }]}
          >
            <InputNumber min={1} max={32} precision={0} />
          </Form.Item>
          <Form.Item
            label={t('developer:smpp.throughput')}
            name="throughput"
            rules={[{ required: true }]}
          >
            <InputNumber
              min={1}
              max={10000}
              precision={0}
              suffix={t('developer:smpp.throughputUnit')}
            />
          </Form.Item>
        </Space>
        <Form.Item label={t('developer:smpp.cmpp')} name="withCmpp" valuePropName="checked">
          <Switch />
        </Form.Item>
        {withCmpp ? (
          <Form.Item
            label={t('developer:smpp.cmppSecret')}
            name="cmppSecret"
            extra={t('developer:smpp.cmppSecretHelp')}
            rules={[
              {
                required: true,
                pattern: CMPP_SECRET,
                message: t('developer:smpp.cmppSecretInvalid'),
              },
            ]}
          >
            <Input.Password maxLength={32} autoComplete="new-password" />
          </Form.Item>
        ) : null}
      </Form>
    </FormModal>
  );
}

function CmppSecret({
  account,
  onClose,
  onSaved,
}: {
  account: SmppAccount | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ cmppSecret: string }>();
  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['cmppSecret'],
    async (v: { cmppSecret: string }) => {
      if (!account) return;
      await api.put(`/v1/smpp-accounts/${encodeURIComponent(account.id)}/cmpp-secret`, {
        cmppSecret: v.cmppSecret,
      });
      form.resetFields();
      onSaved();
    },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={account !== null}
      title={`${account?.cmpp ? t('developer:smpp.changeCmpp') : t('developer:smpp.setCmpp')} · ${account?.systemId ?? ''}`}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      okText={t('common:action.save')}
      forceRender
    >
      <Form form={form} name="cmpp-secret" layout="vertical" onFinish={submit}>
        <Form.Item
          label={t('developer:smpp.cmppSecret')}
          name="cmppSecret"
          extra={t('developer:smpp.cmppSecretHelp')}
          rules={[
            {
              required: true,
              pattern: CMPP_SECRET,
              message: t('developer:smpp.cmppSecretInvalid'),
            },
          ]}
        >
          <Input.Password maxLength={32} autoComplete="new-password" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
