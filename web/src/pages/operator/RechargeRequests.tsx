// Recharge requests (充值申请): tenants' bank transfers waiting to be credited, pending first.
// The operator opens the proof, confirms (optionally for the amount the bank shows — one ledger
// recharge, whatever happens twice) or rejects with a reason the tenant is told.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, downloadUrl, type Money } from '../../api/client.ts';
import { CursorTable } from '../../components/CursorTable.tsx';
import { ProblemAlert, problemText } from '../../components/ProblemAlert.tsx';
import { useCursorList } from '../../lib/useCursorList.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { TenantLink, TenantPicker } from './tenants/TenantPicker.tsx';
import { ToneTag, type Tone } from '../../components/ToneTag.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ReasonModal } from '../../components/ReasonModal.tsx';
import type { RechargeRequest as TenantRechargeRequest } from '../tenant/billing/types.ts';

/** The tenant's request as an operator sees it: with the tenant it is from. */
interface RechargeRequest extends TenantRechargeRequest {
  tenantId: string;
  tenantName: string | null;
}

const STATUSES = ['pending', 'confirmed', 'rejected'] as const;
const STATUS_TONES: Record<string, Tone> = {
  pending: 'processing',
  confirmed: 'success',
  rejected: 'error',
};

export default function RechargeRequests() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | undefined>('pending');
  const [tenantId, setTenantId] = useState<string | undefined>(undefined);
  const list = useCursorList<RechargeRequest>('/v1/admin/recharge-requests', { status, tenantId });
  const [confirming, setConfirming] = useState<RechargeRequest | null>(null);
  const [rejecting, setRejecting] = useState<RechargeRequest | null>(null);
  const [preview, setPreview] = useState<{ url: string; id: string } | null>(null);
  const { message } = App.useApp();

  function closePreview() {
    if (preview) URL.revokeObjectURL(preview.url);
    setPreview(null);
  }

  async function openProof(r: RechargeRequest) {
    const path = `/v1/admin/recharge-requests/${r.id}/proof`;
    if (!r.proof?.type.startsWith('image/')) {
      window.open(downloadUrl(path), '_blank', 'noopener');
      return;
    }
    try {
      const res = await fetch(path, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(res.statusText);
      setPreview({ url: URL.createObjectURL(await res.blob()), id: r.id });
    } catch (err) {
      const p = problemText(err, t);
      void message.error([p.title, p.detail].filter(Boolean).join(' · '));
    }
  }

  return (
    <>
      <PageTitle title={t('opTenants:rr.title')} />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <Select
            aria-label={t('opTenants:rr.statusFilter')}
            allowClear
            placeholder={t('opTenants:rr.allStatuses')}
            value={status}
            onChange={setStatus}
            style={{ width: 160 }}
            options={STATUSES.map((s) => ({ value: s, label: t(`opTenants:rr.status.${s}`) }))}
          />
          <TenantPicker
            aria-label={t('opTenants:rr.tenantFilter')}
            value={tenantId}
            onChange={(v) => setTenantId(typeof v === 'string' ? v : undefined)}
          />
        </Space>
        <CursorTable<RechargeRequest>
          list={list}
          rowKey="id"
          data-testid="recharge-requests"
          columns={[
            {
              title: t('opTenants:rr.tenant'),
              dataIndex: 'tenantId',
              render: (_: unknown, r) => <TenantLink id={r.tenantId} name={r.tenantName} />,
            },
            {
              title: t('opTenants:rr.amount'),
              dataIndex: 'amount',
              align: 'right',
              render: (_: unknown, r) => formatMoney(r.amount),
            },
            { title: t('opTenants:rr.reference'), dataIndex: 'paymentReference' },
            {
              title: t('opTenants:rr.note'),
              dataIndex: 'note',
              render: (v: string | null) => v || '—',
            },
            {
              title: t('opTenants:rr.proof'),
              dataIndex: 'proof',
              render: (_: unknown, r) =>
                r.proof ? (
                  <Button size="small" onClick={() => void openProof(r)}>
                    {t('opTenants:rr.openProof')}
                  </Button>
                ) : (
                  t('opTenants:rr.noProof')
                ),
            },
            {
              title: t('opTenants:rr.statusCol'),
              dataIndex: 'status',
              render: (_: unknown, r) => (
                <>
                  <ToneTag tone={STATUS_TONES[r.status]} data-status={r.status}>
                    {t(`opTenants:rr.status.${r.status}`)}
                  </ToneTag>
                  {r.status === 'confirmed' ? (
                    <div data-testid="rr-credited">
                      <Typography.Text type="secondary">
                        {t('opTenants:rr.credited', {
                          amount: formatMoney(r.credited),
                          entry: r.ledgerEntryId ?? '—',
                        })}
                      </Typography.Text>
                    </div>
                  ) : null}
                  {r.status === 'rejected' && r.rejectReason ? (
                    <div>
                      <Typography.Text type="secondary">{r.rejectReason}</Typography.Text>
                    </div>
                  ) : null}
                </>
              ),
            },
            {
              title: t('opTenants:rr.createdAt'),
              dataIndex: 'createdAt',
              render: (_: unknown, r) => (
                <>
                  {formatDateTime(r.createdAt)}
                  {r.decidedAt ? (
                    <div>
                      <Typography.Text type="secondary">
                        {t('opTenants:rr.decidedAt', { at: formatDateTime(r.decidedAt) })}
                      </Typography.Text>
                    </div>
                  ) : null}
                </>
              ),
            },
            {
              title: t('opTenants:rr.actions'),
              key: 'actions',
              render: (_: unknown, r) =>
                r.status === 'pending' ? (
                  <Space>
                    <Button type="primary" size="small" onClick={() => setConfirming(r)}>
                      {t('opTenants:rr.confirm')}
                    </Button>
                    <Button danger size="small" onClick={() => setRejecting(r)}>
                      {t('common:action.reject')}
                    </Button>
                  </Space>
                ) : null,
            },
          ]}
        />
      </Card>
      <ConfirmModal
        request={confirming}
        onClose={() => setConfirming(null)}
        onDone={() => {
          setConfirming(null);
          list.reload();
        }}
      />
      <RejectModal
        request={rejecting}
        onClose={() => setRejecting(null)}
        onDone={() => {
          setRejecting(null);
          list.reload();
        }}
      />
      <Modal
        open={preview !== null}
        title={t('opTenants:rr.proofTitle')}
        width={760}
        footer={
          preview ? (
            <Space>
              <Button href={downloadUrl(`/v1/admin/recharge-requests/${preview.id}/proof`)}>
                {t('common:action.download')}
              </Button>
              <Button type="primary" onClick={closePreview}>
                {t('common:action.close')}
              </Button>
            </Space>
          ) : null
        }
        onCancel={closePreview}
      >
        {preview ? (
          <img
            src={preview.url}
            alt={t('opTenants:rr.proofTitle')}
            data-testid="proof-preview"
            style={{ maxWidth: '100%' }}
          />
        ) : null}
      </Modal>
    </>
  );
}

function ConfirmModal({
  request,
  onClose,
  onDone,
}: {
  request: RechargeRequest | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ amount: string }>();
  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['amount'],
    async (v: { amount: string }) => {
      if (!request) return;
      const corrected = v.amount.trim();
      // Only a changed amount is a correction; the asked amount is the default.
      const same = sameAmount(corrected, request.amount.amount);
      const r = await api.post<RechargeRequest & { balance: { available: Money } }>(
        `/v1/admin/recharge-requests/${request.id}/confirm`,
        same ? {} : { amount: corrected },
      );
      void message.success(
        t('opTenants:rr.confirmed', {
          amount: formatMoney(r.credited),
          available: formatMoney(r.balance.available),
        }),
      );
      onDone();
    },
  );

  return (
    <Modal
      open={request !== null}
      title={t('opTenants:rr.confirmTitle')}
      okText={t('opTenants:rr.confirm')}
      cancelText={t('common:action.cancel')}
      okButtonProps={{ loading: busy }}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
    >
      {request ? (
        <>
          <Typography.Paragraph>
            {t('opTenants:rr.confirmText', {
              tenant: request.tenantName ?? request.tenantId,
              amount: formatMoney(request.amount),
              reference: request.paymentReference,
            })}
          </Typography.Paragraph>
          <ProblemAlert error={error} />
          <Form
            form={form}
            name="rr-confirm"
            layout="vertical"
            onFinish={submit}
            initialValues={{ amount: request.amount.amount }}
          >
            <Form.Item
              name="amount"
              label={t('opTenants:rr.creditAmount', { currency: request.amount.currency })}
              extra={t('opTenants:rr.creditHint')}
              rules={[
                {
                  required: true,
                  pattern: /^\d{1,12}(\.\d{1,4})?$/,
                  message: t('opTenants:amountInvalid'),
                },
              ]}
            >
              <Input inputMode="decimal" />
            </Form.Item>
          </Form>
        </>
      ) : null}
    </Modal>
  );
}

function RejectModal({
  request,
  onClose,
  onDone,
}: {
  request: RechargeRequest | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <ReasonModal
      open={request !== null}
      name="rr-reject"
      title={t('opTenants:rr.rejectTitle')}
      label={t('opTenants:rr.rejectReason')}
      hint={t('opTenants:rr.rejectHint')}
      requiredMessage={t('opTenants:required')}
      okText={t('common:action.reject')}
      onSubmit={async (reason) => {
        if (!request) return;
        await api.post(`/v1/admin/recharge-requests/${request.id}/reject`, { reason });
        void message.success(t('opTenants:rr.rejected'));
        onDone();
      }}
      onClose={onClose}
    />
  );
}

/** "100", "100.0" and "100.0000" are one amount (compared as decimal text, never as floats). */
function sameAmount(a: string, b: string): boolean {
  const norm = (s: string) => {
    const [i = '0', f = ''] = s.trim().split('.');
    return `${i.replace(/^0+(?=\d)/, '')}.${f.padEnd(4, '0')}`;
  };
  return norm(a) === norm(b);
}
