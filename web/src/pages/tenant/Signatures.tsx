// Signatures (短信签名): the tenant's signatures with their review state and the reviewer's note,
// a form to apply for a new one, and the default signature (GET/POST /v1/signatures,
// POST /v1/signatures/:id/default).
import { useMemo, useState } from 'react';
import { App, Button, Form, Input, Popconfirm, Select, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ReviewStatusTag } from './compliance/ReviewStatusTag.tsx';
import { ToneTag } from '../../components/ToneTag.tsx';
import { FormModal } from '../../components/FormModal.tsx';

interface Signature {
  id: string;
  text: string;
  proofRef: string | null;
  default: boolean;
  status: string;
  reason: string | null;
  createdAt: string;
  reviewedAt: string | null;
}

export default function Signatures() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi((signal) => api.get<{ data: Signature[] }>('/v1/signatures', {}, signal), []);
  const [status, setStatus] = useState<string>('');
  const [open, setOpen] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);

  const rows = useMemo(
    () => (list.data?.data ?? []).filter((s) => !status || s.status === status),
    [list.data, status],
  );
  const current = list.data?.data.find((s) => s.default);

  async function makeDefault(s: Signature) {
    setActionError(null);
    try {
      await api.post(`/v1/signatures/${encodeURIComponent(s.id)}/default`);
      void message.success(t('compliance:signatures.defaultSet', { text: s.text }));
      list.reload();
    } catch (err) {
      setActionError(err);
    }
  }

  const columns: ColumnsType<Signature> = [
    {
      title: t('compliance:signatures.text'),
      dataIndex: 'text',
      render: (text: string, s) => (
        <Space>
          <span>【{text}】</span>
          {s.default ? (
            <ToneTag tone="processing">{t('compliance:signatures.isDefault')}</ToneTag>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('compliance:common.status'),
      dataIndex: 'status',
      width: 130,
      render: (v: string) => <ReviewStatusTag status={v} />,
    },
    {
      title: t('compliance:common.reason'),
      dataIndex: 'reason',
      render: (v: string | null) => v || t('compliance:common.noReason'),
    },
    { title: t('compliance:signatures.proofRef'), dataIndex: 'proofRef', render: (v) => v || '—' },
    {
      title: t('compliance:common.createdAt'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('compliance:common.reviewedAt'),
      dataIndex: 'reviewedAt',
      width: 180,
      render: (v: string | null) => formatDateTime(v),
    },
    {
      title: t('compliance:common.actions'),
      key: 'actions',
      width: 120,
      render: (_, s) =>
        s.status === 'approved' && !s.default ? (
          <Popconfirm
            title={t('compliance:signatures.setDefaultConfirm', { text: s.text })}
            okText={t('common:action.confirm')}
            cancelText={t('common:action.cancel')}
            onConfirm={() => makeDefault(s)}
          >
            <Button type="link" size="small">
              {t('compliance:signatures.setDefault')}
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];

  return (
    <>
      <PageTitle
        title={t('compliance:signatures.title')}
        intro={t('compliance:signatures.intro')}
        extra={
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('compliance:signatures.submit')}
          </Button>
        }
      />
      <ProblemAlert error={actionError} />
      <Space style={{ marginBottom: 16 }} wrap>
        <Select
          aria-label={t('compliance:common.filterStatus')}
          style={{ width: 180 }}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('compliance:common.allStatuses') },
            ...(['pending', 'approved', 'rejected'] as const).map((s) => ({
              value: s,
              label: t(`compliance:status.${s}`),
            })),
          ]}
        />
        <span data-testid="default-signature">
          {current
            ? `${t('compliance:signatures.defaultNote')}【${current.text}】`
            : t('compliance:signatures.noDefault')}
        </span>
        <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
      </Space>
      <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<Signature>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
        />
      </PageState>
      <SubmitSignature
        open={open}
        onClose={() => setOpen(false)}
        onDone={() => {
          setOpen(false);
          void message.success(t('compliance:signatures.submitted'));
          list.reload();
        }}
      />
    </>
  );
}

function SubmitSignature({
  open,
  onClose,
  onDone,
}: {
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ text: string; proofRef?: string }>();
  const { submit, busy, error } = useFormSubmit(
    form,
    ['text', 'proofRef'],
    async (v: { text: string; proofRef?: string }) => {
      await api.post('/v1/signatures', {
        text: v.text,
        ...(v.proofRef?.trim() ? { proofRef: v.proofRef.trim() } : {}),
      });
      form.resetFields();
      onDone();
    },
    { alertOnField: false },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t('compliance:signatures.submitTitle')}
      okText={t('common:action.submit')}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="signature" onFinish={submit} preserve={false}>
        <Form.Item
          name="text"
          label={t('compliance:signatures.text')}
          extra={t('compliance:signatures.textHelp')}
          rules={[
            { required: true, whitespace: true, message: t('compliance:signatures.textRequired') },
          ]}
        >
          <Input maxLength={40} autoFocus />
        </Form.Item>
        <Form.Item
          name="proofRef"
          label={t('compliance:signatures.proofRef')}
          extra={t('compliance:signatures.proofRefHelp')}
        >
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
