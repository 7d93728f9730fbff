// The tenant's money, for the operator: the balance, a recharge (a payment received, once per
// payment reference), a refund (a batch or an amount), the price plan and the monthly statements.
import { useState } from 'react';
import { App, Button, Card, Col, Form, Input, Radio, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type Money } from '../../../api/client.ts';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatMoney } from '../../../lib/format.ts';
import { markProblemField, useFormSubmit } from '../../../lib/form-problem.ts';
import { PricePlanCard } from './PricePlanCard.tsx';
import { StatementsCard } from './StatementsCard.tsx';
import type { TenantDetail, TenantRow } from './types.ts';

// At most 4 decimals, as the ledger keeps them (billing.ts amountField).
const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;

export function BillingTab({
  tenant,
  balance,
  onChanged,
}: {
  tenant: TenantDetail;
  balance: TenantRow | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t('opTenants:billing.balanceLine', {
          available: formatMoney(balance?.available),
          held: formatMoney(balance?.held),
        })}
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <RechargeCard tenant={tenant} onChanged={onChanged} />
        </Col>
        <Col xs={24} xl={12}>
          <RefundCard tenant={tenant} onChanged={onChanged} />
        </Col>
        <Col span={24}>
          <PricePlanCard tenant={tenant} onChanged={onChanged} />
        </Col>
        <Col span={24}>
          <StatementsCard tenant={tenant} />
        </Col>
      </Row>
    </>
  );
}

interface RechargeFields {
  amount: string;
  reference: string;
  note?: string;
}

function RechargeCard({ tenant, onChanged }: { tenant: TenantDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<RechargeFields>();
  const { submit, busy, error } = useFormSubmit(
    form,
    ['amount', 'reference', 'note'],
    async (v: RechargeFields) => {
      const r = await api.post<{ available: Money }>(`/v1/admin/tenants/${tenant.id}/recharges`, {
        amount: v.amount.trim(),
        reference: v.reference.trim(),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      void message.success(t('opTenants:recharge.done', { available: formatMoney(r.available) }));
      form.resetFields();
      onChanged();
    },
  );

  return (
    <Card title={t('opTenants:recharge.title')} size="small">
      <Typography.Paragraph type="secondary">{t('opTenants:recharge.hint')}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<RechargeFields> form={form} name="recharge" layout="vertical" onFinish={submit}>
        <Form.Item
          name="amount"
          label={t('opTenants:recharge.amount', { currency: tenant.currency })}
          rules={[
            { required: true, message: t('opTenants:amountInvalid') },
            { pattern: AMOUNT, message: t('opTenants:amountInvalid') },
          ]}
        >
          <Input inputMode="decimal" placeholder="1000.00" />
        </Form.Item>
        <Form.Item
          name="reference"
          label={t('opTenants:recharge.reference')}
          extra={t('opTenants:recharge.referenceHint')}
          rules={[{ required: true, whitespace: true, message: t('opTenants:required') }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="note" label={t('opTenants:recharge.note')}>
          <Input maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('opTenants:recharge.submit')}
        </Button>
      </Form>
    </Card>
  );
}

interface RefundFields {
  mode: 'amount' | 'batch';
  amount?: string;
  batchId?: string;
  reason: string;
}

function RefundCard({ tenant, onChanged }: { tenant: TenantDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<RefundFields>();
  const mode = Form.useWatch('mode', form) ?? 'amount';
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function send(v: RefundFields) {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ refunded: Money; available: Money }>(
        `/v1/admin/tenants/${tenant.id}/refunds`,
        {
          ...(v.mode === 'batch' ? { batchId: v.batchId!.trim() } : { amount: v.amount!.trim() }),
          reason: v.reason.trim(),
        },
      );
      void message.success(
        t('opTenants:refund.done', {
          refunded: formatMoney(r.refunded),
          available: formatMoney(r.available),
        }),
      );
      form.resetFields();
      onChanged();
    } catch (err) {
      markProblemField(form, err, ['amount', 'batchId', 'reason']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('opTenants:refund.title')} size="small">
      <Typography.Paragraph type="secondary">{t('opTenants:refund.hint')}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<RefundFields>
        form={form}
        name="refund"
        layout="vertical"
        initialValues={{ mode: 'amount' }}
        onFinish={(v) =>
          modal.confirm({
            title: t('opTenants:refund.confirm', { name: tenant.name }),
            okText: t('common:action.confirm'),
            cancelText: t('common:action.cancel'),
            onOk: () => send(v),
          })
        }
      >
        <Form.Item name="mode" label={t('opTenants:refund.mode')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'amount', label: t('opTenants:refund.byAmount') },
              { value: 'batch', label: t('opTenants:refund.byBatch') },
            ]}
          />
        </Form.Item>
        {mode === 'batch' ? (
          <Form.Item
            name="batchId"
            label={t('opTenants:refund.batchId')}
            rules={[{ required: true, whitespace: true, message: t('opTenants:required') }]}
          >
            <Input placeholder="bat_…" maxLength={40} />
          </Form.Item>
        ) : (
          <Form.Item
            name="amount"
            label={t('opTenants:refund.amount', { currency: tenant.currency })}
            rules={[
              { required: true, message: t('opTenants:amountInvalid') },
              { pattern: AMOUNT, message: t('opTenants:amountInvalid') },
            ]}
          >
            <Input inputMode="decimal" />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('opTenants:refund.reason')}
          rules={[{ required: true, whitespace: true, message: t('opTenants:required') }]}
        >
          <Input maxLength={500} />
        </Form.Item>
        <Button htmlType="submit" loading={busy}>
          {t('opTenants:refund.submit')}
        </Button>
      </Form>
    </Card>
  );
}
