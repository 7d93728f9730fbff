// The tenant's compliance policy: which classes may send free text (the others need an approved
// template) and frequency caps per class. The form starts from the policy in force
// (GET /v1/admin/tenants/:id/compliance); a class without caps of its own has the platform's
// defaults, shown greyed. Saved with PUT on the same path.
import { useEffect, useState } from 'react';
import { App, Button, Checkbox, Form, InputNumber, Space, Switch, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { useApi } from '../../../lib/useApi.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import { MESSAGE_CLASSES, type TenantDetail } from './types.ts';

type MessageClass = (typeof MESSAGE_CLASSES)[number];
const CAP_KEYS = ['perMinute', 'perHour', 'perDay', 'sameTextMinutes'] as const;
type Caps = Record<(typeof CAP_KEYS)[number], number>;
interface Cap extends Partial<Caps> {
  on: boolean;
}
interface PolicyFields {
  freeTextClasses: MessageClass[];
  caps: Record<MessageClass, Cap>;
}
/** GET /v1/admin/tenants/:id/compliance: the shape PUT takes, and the defaults. */
interface Policy {
  freeTextClasses: MessageClass[];
  frequencyCaps: Partial<Record<MessageClass, Caps>> | null;
  defaultFrequencyCaps: Record<MessageClass, Caps>;
}

export function ComplianceTab({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PolicyFields>();
  const caps = Form.useWatch('caps', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const policy = useApi(
    (signal) => api.get<Policy>(`/v1/admin/tenants/${tenant.id}/compliance`, undefined, signal),
    [tenant.id],
  );

  useEffect(() => {
    const p = policy.data;
    if (!p) return;
    form.setFieldsValue({
      freeTextClasses: p.freeTextClasses,
      caps: Object.fromEntries(
        MESSAGE_CLASSES.map((c) => {
          const own = p.frequencyCaps?.[c];
          return [c, own ? { ...own, on: true } : { on: false }];
        }),
      ) as PolicyFields['caps'],
    });
  }, [policy.data, form]);

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
      void message.success(t('opTenants:compliance.saved'));
      policy.reload();
    } catch (err) {
      markProblemField(form, err, ['freeTextClasses']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageState
        loading={policy.loading && !policy.data}
        error={policy.error}
        onRetry={policy.reload}
      >
        <Typography.Paragraph type="secondary">
          {t('opTenants:compliance.inForce')}
        </Typography.Paragraph>
      </PageState>
      <ProblemAlert error={error} />
      <Form<PolicyFields>
        form={form}
        name="compliance-policy"
        layout="vertical"
        onFinish={submit}
        disabled={!policy.data}
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
                      onChange={(on) => {
                        // Turned on: start from the defaults rather than empty fields.
                        if (
                          on &&
                          policy.data &&
                          form.getFieldValue(['caps', c, 'perMinute']) == null
                        )
                          form.setFieldValue(['caps', c], {
                            ...policy.data.defaultFrequencyCaps[c],
                            on: true,
                          });
                      }}
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
                    placeholder={
                      policy.data ? String(policy.data.defaultFrequencyCaps[c][k]) : undefined
                    }
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
