// Ask to close the company account (POST /v1/account/termination, effective within 24 hours) or
// withdraw the request (DELETE). The pending request — when it takes effect, when it was made and
// why — is GET /v1/account/termination (null: none). A strong confirmation: a reason, the company
// name typed in, a tick, and a last "are you sure".
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, Popconfirm, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { useApi, type Loaded } from '../../../lib/useApi.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import type { AccountDetails } from './types.ts';

/** GET /v1/account/termination when a request is pending. */
interface PendingTermination {
  effectiveAt: string;
  requestedAt: string | null;
  requestedBy: string | null;
  reason: string | null;
}

interface Values {
  reason: string;
  confirmName: string;
  acknowledge: boolean;
}

export function Termination({ account }: { account: Loaded<AccountDetails> }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const session = useSession();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const pending = useApi(
    (signal) => api.get<PendingTermination | null>('/v1/account/termination', undefined, signal),
    [],
  );
  const a = account.data;
  const canManage = session.can('account.manage');
  const reload = () => {
    account.reload();
    pending.reload();
  };

  async function request(v: Values) {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ effectiveAt: string }>('/v1/account/termination', {
        reason: v.reason.trim(),
      });
      form.resetFields();
      void message.success(
        t('account:termination.submitted', { at: formatDateTime(r.effectiveAt) }),
      );
      reload();
    } catch (err) {
      setError(err);
      markProblemField(form, err, { reason: 'reason' });
    } finally {
      setBusy(false);
    }
  }

  async function withdraw() {
    setError(null);
    try {
      await api.delete('/v1/account/termination');
      void message.success(t('account:termination.withdrawn'));
      reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <PageState
      loading={(account.loading && !a) || (pending.loading && pending.data === undefined)}
      error={account.error ?? pending.error}
      onRetry={reload}
    >
      {a ? (
        <div style={{ maxWidth: 640 }}>
          <ProblemAlert error={error} />
          {a.status === 'terminated' ? (
            <Result status="warning" title={t('account:termination.terminated')} />
          ) : pending.data ? (
            <Alert
              type="warning"
              showIcon
              title={t('account:termination.pendingTitle')}
              description={
                <>
                  <div>
                    {t('account:termination.pendingDetail', {
                      at: formatDateTime(pending.data.effectiveAt),
                    })}
                  </div>
                  {pending.data.requestedAt ? (
                    <div data-testid="termination-request">
                      {t('account:termination.requested', {
                        at: formatDateTime(pending.data.requestedAt),
                        reason: pending.data.reason ?? '—',
                      })}
                    </div>
                  ) : null}
                </>
              }
              action={
                canManage ? (
                  <Popconfirm
                    title={t('account:termination.withdrawConfirm')}
                    okText={t('common:action.confirm')}
                    cancelText={t('common:action.cancel')}
                    onConfirm={withdraw}
                  >
                    <Button>{t('account:termination.withdraw')}</Button>
                  </Popconfirm>
                ) : null
              }
            />
          ) : !canManage ? (
            <Alert type="info" showIcon title={t('account:termination.noPermission')} />
          ) : (
            <>
              <Alert
                type="error"
                showIcon
                title={t('account:termination.intro')}
                style={{ marginBottom: 16 }}
              />
              <Form<Values>
                form={form}
                name="termination"
                layout="vertical"
                onFinish={(v) =>
                  modal.confirm({
                    title: t('account:termination.submitConfirm'),
                    okText: t('account:termination.submit'),
                    okButtonProps: { danger: true },
                    cancelText: t('common:action.cancel'),
                    onOk: () => request(v),
                  })
                }
              >
                <Form.Item
                  label={t('account:termination.reason')}
                  name="reason"
                  rules={[
                    {
                      required: true,
                      whitespace: true,
                      message: t('account:termination.reasonRequired'),
                    },
                  ]}
                >
                  <Input.TextArea rows={3} maxLength={500} showCount />
                </Form.Item>
                <Form.Item
                  label={t('account:termination.confirmName', { name: a.name })}
                  name="confirmName"
                  rules={[
                    {
                      validator: (_, v: string | undefined) =>
                        (v ?? '').trim() === a.name
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('account:termination.confirmNameMismatch'))),
                    },
                  ]}
                >
                  <Input autoComplete="off" />
                </Form.Item>
                <Form.Item
                  name="acknowledge"
                  valuePropName="checked"
                  rules={[
                    {
                      validator: (_, v: boolean) =>
                        v
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('account:termination.acknowledgeRequired'))),
                    },
                  ]}
                >
                  <Checkbox>{t('account:termination.acknowledge')}</Checkbox>
                </Form.Item>
                <Button danger type="primary" htmlType="submit" loading={busy}>
                  {t('account:termination.submit')}
                </Button>
              </Form>
            </>
          )}
        </div>
      ) : null}
    </PageState>
  );
}
