// The tenant's price plan: rules per region, carrier and class (the most specific match wins) and
// when it is charged. The form starts from the plan in force (GET /v1/admin/tenants/:id/price-plan:
// the tenant's own, or the platform's standard plan); saving replaces the whole plan (PUT).
import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import { MESSAGE_CLASSES, type TenantDetail } from './types.ts';

interface Rule {
  country?: string;
  carrier?: string;
  class?: string;
  price: string;
}
interface PlanFields {
  rules: Rule[];
  chargeMode: string;
}
/** GET /v1/admin/tenants/:id/price-plan: the shape PUT takes, and whose plan it is. */
interface PlanInForce extends PlanFields {
  currency: string;
  default: boolean;
  updatedAt: string | null;
}

const CARRIERS = ['mobile', 'unicom', 'telecom', 'broadnet'] as const;

export function PricePlanCard({
  tenant,
  onChanged,
}: {
  tenant: TenantDetail;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PlanFields>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const plan = useApi(
    (signal) =>
      api.get<PlanInForce>(`/v1/admin/tenants/${tenant.id}/price-plan`, undefined, signal),
    [tenant.id],
  );

  useEffect(() => {
    if (!plan.data) return;
    form.setFieldsValue({
      rules: plan.data.rules.length > 0 ? plan.data.rules : [{ country: 'CN', price: '' }],
      chargeMode: plan.data.chargeMode,
    });
  }, [plan.data, form]);

  async function submit(v: PlanFields) {
    setBusy(true);
    setError(null);
    try {
      await api.put(`/v1/admin/tenants/${tenant.id}/price-plan`, {
        rules: v.rules.map((r) => ({
          ...(r.country?.trim() ? { country: r.country.trim().toUpperCase() } : {}),
          ...(r.carrier ? { carrier: r.carrier } : {}),
          ...(r.class ? { class: r.class } : {}),
          price: r.price.trim(),
        })),
        chargeMode: v.chargeMode,
      });
      void message.success(t('opTenants:plan.saved'));
      plan.reload();
      onChanged();
    } catch (err) {
      markProblemField(form, err, ['rules', 'chargeMode']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('opTenants:plan.title')} size="small">
      <PageState loading={plan.loading && !plan.data} error={plan.error} onRetry={plan.reload}>
        <Typography.Paragraph type="secondary" data-testid="price-plan-source">
          {plan.data && !plan.data.default
            ? t('opTenants:plan.lastSet', { at: formatDateTime(plan.data.updatedAt) })
            : t('opTenants:plan.noneSet')}
        </Typography.Paragraph>
      </PageState>
      <ProblemAlert error={error} />
      <Form<PlanFields>
        form={form}
        name="price-plan"
        onFinish={submit}
        layout="vertical"
        disabled={!plan.data}
      >
        <Form.Item name="chargeMode" label={t('opTenants:field.chargeMode')}>
          <Select
            style={{ width: 240 }}
            options={['on_submit', 'on_delivery'].map((m) => ({
              value: m,
              label: t(`opTenants:chargeMode.${m}`),
            }))}
          />
        </Form.Item>
        <Form.List name="rules">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" wrap data-testid="price-rule">
                  <Form.Item name={[f.name, 'country']} label={t('opTenants:plan.country')}>
                    <Input style={{ width: 100 }} maxLength={2} placeholder="CN" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'carrier']} label={t('opTenants:plan.carrier')}>
                    <Select
                      allowClear
                      style={{ width: 140 }}
                      placeholder={t('opTenants:plan.any')}
                      options={CARRIERS.map((c) => ({
                        value: c,
                        label: t(`opTenants:plan.carriers.${c}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'class']} label={t('opTenants:plan.class')}>
                    <Select
                      allowClear
                      style={{ width: 140 }}
                      placeholder={t('opTenants:plan.any')}
                      options={MESSAGE_CLASSES.map((c) => ({
                        value: c,
                        label: t(`opTenants:classes.${c}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'price']}
                    label={t('opTenants:plan.price', { currency: tenant.currency })}
                    rules={[
                      {
                        required: true,
                        pattern: /^\d{1,6}(\.\d{1,4})?$/,
                        message: t('opTenants:amountInvalid'),
                      },
                    ]}
                  >
                    <Input style={{ width: 140 }} inputMode="decimal" placeholder="0.0450" />
                  </Form.Item>
                  <Form.Item label={<span aria-hidden="true">&nbsp;</span>}>
                    <Button
                      onClick={() => remove(f.name)}
                      autoInsertSpace={false}
                      disabled={fields.length === 1}
                      aria-label={t('opTenants:plan.removeRule', { n: i + 1 })}
                    >
                      {t('common:action.delete')}
                    </Button>
                  </Form.Item>
                </Space>
              ))}
              <Space style={{ display: 'flex' }}>
                <Button onClick={() => add({ price: '' })}>{t('opTenants:plan.addRule')}</Button>
                <Button type="primary" htmlType="submit" loading={busy}>
                  {t('opTenants:plan.save')}
                </Button>
              </Space>
            </>
          )}
        </Form.List>
      </Form>
    </Card>
  );
}
