// The tenant's price plan: rules per region, carrier and class (the most specific match wins) and
// when it is charged. Saving replaces the whole plan (PUT /v1/admin/tenants/:id/price-plan). The
// API has no read of a tenant's plan for the operator, so the form starts from the plan last set
// as the audit log recorded it (billing.price_plan_set), when this role may read the audit log.
import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { markProblemField } from './form-problem.ts';
import { MESSAGE_CLASSES, type AuditRow, type TenantDetail } from './types.ts';

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
  const session = useSession();
  const [form] = Form.useForm<PlanFields>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [lastSet, setLastSet] = useState<string | null>(null);

  useEffect(() => {
    form.setFieldsValue({ rules: [{ country: 'CN', price: '' }], chargeMode: tenant.chargeMode });
    if (!session.can('admin.audit.read')) return;
    const ctl = new AbortController();
    api
      .get<{ data: AuditRow[] }>(
        '/v1/admin/audit',
        { tenantId: tenant.id, action: 'billing.price_plan_set', limit: 1 },
        ctl.signal,
      )
      .then((r) => {
        const last = r.data[0];
        const rules = last?.details?.rules as Rule[] | undefined;
        if (!last || !Array.isArray(rules) || rules.length === 0) return;
        form.setFieldsValue({ rules });
        setLastSet(last.createdAt);
      })
      .catch(() => undefined);
    return () => ctl.abort();
  }, [tenant.id, tenant.chargeMode, form, session]);

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
      setLastSet(new Date().toISOString());
      void message.success(t('opTenants:plan.saved'));
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
      <Typography.Paragraph type="secondary">
        {lastSet
          ? t('opTenants:plan.lastSet', { at: formatDateTime(lastSet) })
          : t('opTenants:plan.noneSet')}
      </Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<PlanFields> form={form} name="price-plan" onFinish={submit} layout="vertical">
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
