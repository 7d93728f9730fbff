// The tenant's contracts: the list (period, package of parts and its use, fees, renewal) and
// signing a new one — signing fees are charged at once, so signing asks for a confirmation.
import { useState } from 'react';
import {
  App,
  Button,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { useApi } from '../../../lib/useApi.ts';
import { formatDateTime, formatMoney, formatNumber } from '../../../lib/format.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import type { TenantDetail } from './types.ts';
import type { Contract } from '../../tenant/billing/types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';
import { EmptyText } from '../../../components/EmptyText.tsx';

interface SignFields {
  number: string;
  period: [Dayjs, Dayjs];
  quota?: number | null;
  fees?: Array<{ name: string; amount: string; when: string }>;
  autoRenew: boolean;
  renewMonths: number;
}

const FEE_WHEN = ['signing', 'monthly', 'renewal'] as const;

export function ContractTab({
  tenant,
  onChanged,
}: {
  tenant: TenantDetail;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const path = `/v1/admin/tenants/${tenant.id}/contracts`;
  const list = useApi((signal) => api.get<{ data: Contract[] }>(path, undefined, signal), [path]);
  const [open, setOpen] = useState(false);

  return (
    <>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => setOpen(true)}>
          {t('opTenants:contract.sign')}
        </Button>
      </Space>
      <PageState loading={list.loading} error={list.error} onRetry={list.reload}>
        <Table<Contract>
          size="middle"
          rowKey="id"
          dataSource={list.data?.data ?? []}
          pagination={false}
          locale={{ emptyText: <EmptyText>{t('opTenants:contract.none')}</EmptyText> }}
          columns={[
            { title: t('opTenants:contract.number'), dataIndex: 'number' },
            {
              title: t('opTenants:contract.period'),
              key: 'period',
              render: (_: unknown, c) => `${c.startDate} – ${c.endDate}`,
            },
            {
              title: t('opTenants:contract.package'),
              dataIndex: 'package',
              render: (p: Contract['package']) =>
                p
                  ? t('opTenants:contract.packageUse', {
                      used: formatNumber(p.used),
                      parts: formatNumber(p.parts),
                      remaining: formatNumber(p.remaining),
                    })
                  : t('opTenants:contract.noPackage'),
            },
            {
              title: t('opTenants:contract.fees'),
              dataIndex: 'fees',
              render: (fees: Contract['fees']) =>
                fees.length === 0
                  ? '—'
                  : fees.map((f, i) => (
                      <div key={i}>
                        {f.name} · {t(`opTenants:contract.when.${f.when}`)} ·{' '}
                        {formatMoney(f.amount)}
                      </div>
                    )),
            },
            {
              title: t('opTenants:contract.autoRenew'),
              dataIndex: 'autoRenew',
              render: (v: boolean, c) =>
                v ? (
                  <ToneTag tone="processing">
                    {t('opTenants:contract.renewEvery', { months: c.renewMonths })}
                  </ToneTag>
                ) : (
                  <ToneTag>{t('opTenants:contract.noRenew')}</ToneTag>
                ),
            },
            {
              title: t('opTenants:field.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
          ]}
        />
      </PageState>
      <SignModal
        tenant={tenant}
        open={open}
        onClose={() => setOpen(false)}
        onDone={() => {
          setOpen(false);
          list.reload();
          onChanged();
        }}
      />
    </>
  );
}

function SignModal({
  tenant,
  open,
  onClose,
  onDone,
}: {
  tenant: TenantDetail;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SignFields>();
  const autoRenew = Form.useWatch('autoRenew', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: SignFields) {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/v1/admin/tenants/${tenant.id}/contracts`, {
        number: v.number.trim(),
        startDate: v.period[0].format('YYYY-MM-DD'),
        endDate: v.period[1].format('YYYY-MM-DD'),
        quota: v.quota ?? null,
        fees: (v.fees ?? []).map((f) => ({
          name: f.name.trim(),
          amount: f.amount.trim(),
          when: f.when,
        })),
        autoRenew: v.autoRenew,
        renewMonths: v.renewMonths,
      });
      void message.success(t('opTenants:contract.signed'));
      form.resetFields();
      onDone();
    } catch (err) {
      // The period is one control for the API's two fields.
      if (err instanceof ApiError && (err.field === 'startDate' || err.field === 'endDate'))
        form.setFields([{ name: 'period', errors: [err.detail ?? err.title] }]);
      else markProblemField(form, err, ['number', 'quota', 'fees', 'autoRenew', 'renewMonths']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      width={720}
      title={t('opTenants:contract.signTitle', { name: tenant.name })}
      okText={t('opTenants:contract.sign')}
      cancelText={t('common:action.cancel')}
      okButtonProps={{ loading: busy }}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<SignFields>
        form={form}
        name="contract"
        layout="vertical"
        onFinish={submit}
        initialValues={{ autoRenew: false, renewMonths: 12, fees: [] }}
      >
        <Form.Item
          name="number"
          label={t('opTenants:contract.number')}
          rules={[{ required: true, whitespace: true, message: t('opTenants:required') }]}
        >
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item
          name="period"
          label={t('opTenants:contract.period')}
          rules={[{ required: true, message: t('opTenants:required') }]}
        >
          <DatePicker.RangePicker
            aria-label={t('opTenants:contract.period')}
            placeholder={[t('opTenants:contract.start'), t('opTenants:contract.end')]}
          />
        </Form.Item>
        <Form.Item
          name="quota"
          label={t('opTenants:contract.quota')}
          extra={t('opTenants:contract.quotaHint')}
        >
          <InputNumber min={1} precision={0} style={{ width: 200 }} />
        </Form.Item>
        <Form.List name="fees">
          {(fields, { add, remove }) => (
            <Form.Item label={t('opTenants:contract.fees')}>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" wrap>
                  <Form.Item
                    name={[f.name, 'name']}
                    rules={[{ required: true, whitespace: true, message: t('opTenants:required') }]}
                  >
                    <Input
                      aria-label={t('opTenants:contract.feeName')}
                      placeholder={t('opTenants:contract.feeName')}
                      maxLength={100}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'amount']}
                    rules={[
                      {
                        required: true,
                        pattern: /^\d{1,12}(\.\d{1,4})?$/,
                        message: t('opTenants:amountInvalid'),
                      },
                    ]}
                  >
                    <Input
                      aria-label={t('opTenants:contract.feeAmount')}
                      placeholder={t('opTenants:contract.feeAmount')}
                      inputMode="decimal"
                      style={{ width: 140 }}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'when']} initialValue="signing">
                    <Select
                      aria-label={t('opTenants:contract.feeWhen')}
                      style={{ width: 140 }}
                      options={FEE_WHEN.map((w) => ({
                        value: w,
                        label: t(`opTenants:contract.when.${w}`),
                      }))}
                    />
                  </Form.Item>
                  <Button
                    onClick={() => remove(f.name)}
                    autoInsertSpace={false}
                    aria-label={t('opTenants:contract.removeFee', { n: i + 1 })}
                  >
                    {t('common:action.delete')}
                  </Button>
                </Space>
              ))}
              <Button onClick={() => add({ when: 'signing' })}>
                {t('opTenants:contract.addFee')}
              </Button>
            </Form.Item>
          )}
        </Form.List>
        <Space size="large">
          <Form.Item
            name="autoRenew"
            label={t('opTenants:contract.autoRenew')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
          {autoRenew ? (
            <Form.Item name="renewMonths" label={t('opTenants:contract.renewMonths')}>
              <InputNumber min={1} max={60} precision={0} />
            </Form.Item>
          ) : null}
        </Space>
      </Form>
    </Modal>
  );
}
