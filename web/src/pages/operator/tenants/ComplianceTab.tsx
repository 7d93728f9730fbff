// The tenant's compliance policy: which classes may send free text (the others need an approved
// template) and frequency caps per class. Saved with PUT /v1/admin/tenants/:id/compliance; the API
// has no read of the policy, so the form starts from the policy last set as the audit log recorded
// it (compliance.policy_set), when this role may read the audit log.
import { useEffect, useState } from 'react';
import { App, Button, Checkbox, Form, InputNumber, Space, Switch, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { markProblemField } from './form-problem.ts';
import { MESSAGE_CLASSES, type AuditRow, type TenantDetail } from './types.ts';

type MessageClass = (typeof MESSAGE_CLASSES)[number];
interface Cap {
  on: boolean;
  perMinute?: number;
  perHour?: number;
  perDay?: number;
  sameTextMinutes?: number;
}
interface PolicyFields {
  freeTextClasses: MessageClass[];
  caps: Record<MessageClass, Cap>;
}
const CAP_KEYS = ['perMinute', 'perHour', 'perDay', 'sameTextMinutes'] as const;

export function ComplianceTab({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const [form] = Form.useForm<PolicyFields>();
  const caps = Form.useWatch('caps', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [lastSet, setLastSet] = useState<string | null>(null);

  useEffect(() => {
    if (!session.can('admin.audit.read')) return;
    const ctl = new AbortController();
    api
      .get<{ data: AuditRow[] }>(
        '/v1/admin/audit',
        { tenantId: tenant.id, action: 'compliance.policy_set', limit: 1 },
        ctl.signal,
      )
      .then((r) => {
        const d = r.data[0]?.details as
          | { freeTextClasses?: MessageClass[]; frequencyCaps?: Record<string, Cap> | null }
          | undefined;
        if (!d) return;
        if (d.freeTextClasses) form.setFieldsValue({ freeTextClasses: d.freeTextClasses });
        if (d.frequencyCaps !== undefined)
          form.setFieldsValue({
            caps: Object.fromEntries(
              MESSAGE_CLASSES.map((c) => {
                const cap = d.frequencyCaps?.[c];
                return [c, cap ? { ...cap, on: true } : { on: false }];
              }),
            ) as PolicyFields['caps'],
          });
        setLastSet(r.data[0]!.createdAt);
      })
      .catch(() => undefined);
    return () => ctl.abort();
  }, [tenant.id, form, session]);

  async function submit(v: PolicyFields) {
    setBusy(true);
    setError(null);
    try {
      const on = MESSAGE_CLASSES.filter((c) => v.caps?.[c]?.on);
      await api.put(`/v1/admin/tenants/${tenant.id}/compliance`, {
        freeTextClasses: v.freeTextClasses ?? [],
        frequencyCaps:
          on.length === 0
            ? null
            : Object.fromEntries(
                on.map((c) => {
                  const cap = v.caps[c];
                  return [c, Object.fromEntries(CAP_KEYS.map((k) => [k, cap[k] ?? 0]))];
                }),
              ),
      });
      setLastSet(new Date().toISOString());
      void message.success(t('opTenants:compliance.saved'));
    } catch (err) {
      markProblemField(form, err, ['freeTextClasses']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Typography.Paragraph type="secondary">
        {lastSet
          ? t('opTenants:compliance.lastSet', { at: formatDateTime(lastSet) })
          : t('opTenants:compliance.noneSet')}
      </Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<PolicyFields>
        form={form}
        name="compliance-policy"
        layout="vertical"
        onFinish={submit}
        initialValues={{
          // The platform's default (migration 007): every class may send free text.
          freeTextClasses: [...MESSAGE_CLASSES],
          caps: Object.fromEntries(MESSAGE_CLASSES.map((c) => [c, { on: false }])) as never,
        }}
      >
        <Form.Item
          name="freeTextClasses"
          label={t('opTenants:compliance.freeText')}
          extra={t('opTenants:compliance.freeTextHint')}
        >
          <Checkbox.Group
            options={MESSAGE_CLASSES.map((c) => ({ value: c, label: t(`opTenants:classes.${c}`) }))}
          />
        </Form.Item>
        <Typography.Text strong>{t('opTenants:compliance.caps')}</Typography.Text>
        <Table
          size="small"
          rowKey={(c) => c}
          dataSource={[...MESSAGE_CLASSES]}
          pagination={false}
          style={{ margin: '8px 0 16px' }}
          columns={[
            {
              title: t('opTenants:plan.class'),
              key: 'class',
              render: (_: unknown, c: MessageClass) => (
                <Space>
                  <Form.Item name={['caps', c, 'on']} valuePropName="checked" noStyle>
                    <Switch
                      size="small"
                      aria-label={t('opTenants:compliance.capOn', {
                        class: t(`opTenants:classes.${c}`),
                      })}
                    />
                  </Form.Item>
                  {t(`opTenants:classes.${c}`)}
                </Space>
              ),
            },
            ...CAP_KEYS.map((k) => ({
              title: t(`opTenants:compliance.${k}`),
              key: k,
              render: (_: unknown, c: MessageClass) => (
                <Form.Item
                  name={['caps', c, k]}
                  noStyle
                  rules={[{ required: Boolean(caps?.[c]?.on), message: t('opTenants:required') }]}
                >
                  <InputNumber
                    min={k === 'sameTextMinutes' ? 0 : 1}
                    precision={0}
                    disabled={!caps?.[c]?.on}
                    aria-label={`${t(`opTenants:classes.${c}`)} ${t(`opTenants:compliance.${k}`)}`}
                  />
                </Form.Item>
              ),
            })),
          ]}
        />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('common:action.save')}
        </Button>
      </Form>
    </>
  );
}
