// Recharge requests (充值申请): the form a tenant fills after a bank transfer (amount, payment
// reference, note, proof file), posted as multipart/form-data to POST /v1/recharge-requests, and
// the list of its requests with their state (GET /v1/recharge-requests) and a link to each proof.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Select, Space, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { CursorTable } from '../../../components/CursorTable.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime, formatMoney } from '../../../lib/format.ts';
import { useCursorList } from '../../../lib/useCursorList.ts';
import { useFormSubmit } from '../../../lib/form-problem.ts';
import type { RechargeRequest } from './types.ts';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

// The server's limits (src/core/billing/recharge-request.ts), checked here first to save an upload.
const PROOF_MAX_BYTES = 5 * 1024 * 1024;
const PROOF_TYPES = ['image/png', 'image/jpeg', 'application/pdf'];
const STATUS_COLOR: Record<RechargeRequest['status'], Tone> = {
  pending: 'processing',
  confirmed: 'success',
  rejected: 'error',
};

interface Fields {
  amount: string;
  paymentReference: string;
  note?: string;
  proof?: UploadFile[];
}

export function RechargeRequests() {
  const { t } = useTranslation();
  const session = useSession();
  const [status, setStatus] = useState('');
  const list = useCursorList<RechargeRequest>('/v1/recharge-requests', {
    status: status || undefined,
  });

  const columns: ColumnsType<RechargeRequest> = [
    {
      title: t('billing:recharge.createdAt'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('billing:recharge.amount'),
      dataIndex: 'amount',
      align: 'right',
      render: (v: RechargeRequest['amount']) => formatMoney(v),
    },
    { title: t('billing:recharge.paymentReference'), dataIndex: 'paymentReference' },
    {
      title: t('billing:recharge.columnStatus'),
      dataIndex: 'status',
      render: (v: RechargeRequest['status'], r) => (
        <Space orientation="vertical" size={2}>
          <ToneTag tone={STATUS_COLOR[v] ?? 'default'} data-status={v}>
            {t(`billing:recharge.status.${v}`, { defaultValue: v })}
          </ToneTag>
          {v === 'rejected' && r.rejectReason ? (
            <Typography.Text type="danger" style={{ fontSize: 12 }}>
              {t('billing:recharge.rejectReason', { reason: r.rejectReason })}
            </Typography.Text>
          ) : null}
          {v === 'confirmed' && r.credited ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('billing:recharge.credited', { amount: formatMoney(r.credited) })}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('billing:recharge.decidedAt'),
      dataIndex: 'decidedAt',
      width: 180,
      render: (v: string | null) => formatDateTime(v),
    },
    {
      title: t('billing:recharge.columnNote'),
      dataIndex: 'note',
      render: (v: string | null) => v || '—',
    },
    {
      title: t('billing:recharge.columnProof'),
      dataIndex: 'proof',
      render: (v: RechargeRequest['proof'], r) =>
        v ? (
          <a href={`/v1/recharge-requests/${encodeURIComponent(r.id)}/proof`} download>
            {t('billing:recharge.viewProof')}
          </a>
        ) : (
          t('billing:recharge.noProof')
        ),
    },
  ];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('billing:recharge.intro')}
      </Typography.Paragraph>
      {session.can('account.manage') ? (
        <RechargeForm
          currency={session.me?.tenant?.currency ?? 'CNY'}
          onDone={() => {
            setStatus('');
            list.first();
            list.reload();
          }}
        />
      ) : null}
      <Card size="small" title={t('billing:recharge.listTitle')}>
        <Space style={{ marginBottom: 12 }}>
          <Select
            aria-label={t('billing:recharge.statusFilter')}
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={[
              { value: '', label: t('billing:recharge.allStatuses') },
              ...(['pending', 'confirmed', 'rejected'] as const).map((s) => ({
                value: s,
                label: t(`billing:recharge.status.${s}`),
              })),
            ]}
          />
          <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
        </Space>
        <CursorTable<RechargeRequest>
          list={list}
          rowKey="id"
          columns={columns}
          data-testid="recharge-requests"
        />
      </Card>
    </Space>
  );
}

function RechargeForm({ currency, onDone }: { currency: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const { submit, busy, error } = useFormSubmit(
    form,
    ['amount', 'paymentReference', 'note', 'proof'],
    async (v: Fields) => {
      const body = new FormData();
      body.append('amount', v.amount.trim());
      body.append('paymentReference', v.paymentReference.trim());
      if (v.note?.trim()) body.append('note', v.note.trim());
      const file = v.proof?.[0]?.originFileObj;
      if (file) body.append('proof', file, file.name);
      await api.post('/v1/recharge-requests', body);
      form.resetFields();
      void message.success(t('billing:recharge.submitted'));
      onDone();
    },
    { alertOnField: false },
  );

  return (
    <Card size="small" title={t('billing:recharge.formTitle')}>
      <ProblemAlert error={error} />
      <Form<Fields>
        form={form}
        name="recharge"
        layout="vertical"
        onFinish={submit}
        style={{ maxWidth: 560 }}
      >
        <Form.Item
          name="amount"
          label={t('billing:recharge.amount')}
          extra={t('billing:recharge.amountHelp', { currency })}
          rules={[
            { required: true, whitespace: true, message: t('billing:recharge.amountRequired') },
            {
              validator: (_, v?: string) =>
                !v?.trim() || (/^\d{1,9}(\.\d{1,2})?$/.test(v.trim()) && Number(v) > 0)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('billing:recharge.amountInvalid'))),
            },
          ]}
        >
          <Input inputMode="decimal" suffix={currency} maxLength={16} />
        </Form.Item>
        <Form.Item
          name="paymentReference"
          label={t('billing:recharge.paymentReference')}
          extra={t('billing:recharge.paymentReferenceHelp')}
          rules={[
            {
              required: true,
              whitespace: true,
              message: t('billing:recharge.paymentReferenceRequired'),
            },
          ]}
        >
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="note" label={t('billing:recharge.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item
          name="proof"
          label={t('billing:recharge.proof')}
          extra={t('billing:recharge.proofHelp')}
          valuePropName="fileList"
          getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList.slice(-1)}
          rules={[
            {
              validator: (_, files?: UploadFile[]) => {
                const f = files?.[0];
                if (!f) return Promise.resolve();
                if (!PROOF_TYPES.includes(f.type ?? ''))
                  return Promise.reject(new Error(t('billing:recharge.proofType')));
                if ((f.size ?? 0) > PROOF_MAX_BYTES)
                  return Promise.reject(new Error(t('billing:recharge.proofTooLarge')));
                return Promise.resolve();
              },
            },
          ]}
        >
          <Upload
            accept=".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"
            maxCount={1}
            beforeUpload={() => false}
            data-testid="recharge-proof"
          >
            <Button>{t('billing:recharge.proofChoose')}</Button>
          </Upload>
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('common:action.submit')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
