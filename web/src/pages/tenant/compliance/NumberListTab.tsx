// One of the two number lists of the opt-outs page: the opt-out list (GET/POST /v1/opt-outs,
// DELETE /v1/opt-outs/:number to re-subscribe) or the consents (GET/POST /v1/consents). Each can
// be added to by hand, imported from a CSV file (sent as text/csv) and exported (?format=csv).
// The API returns each list whole, so it is filtered and paged here.
import { useMemo, useState } from 'react';
import {
  App,
  Button,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Typography,
  Upload,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { postCsv, splitNumbers } from './csvImport.ts';
import { saveDownload } from '../../../lib/download.ts';
import { useFormSubmit } from '../../../lib/form-problem.ts';
import { FormModal } from '../../../components/FormModal.tsx';

export type NumberListKind = 'optOuts' | 'consents';

interface Row {
  number: string;
  source?: string;
  evidence?: string;
  createdAt: string;
}

const PATH: Record<NumberListKind, string> = {
  optOuts: '/v1/opt-outs',
  consents: '/v1/consents',
};

export function NumberListTab({ kind, canManage }: { kind: NumberListKind; canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const path = PATH[kind];
  const list = useApi((signal) => api.get<{ data: Row[] }>(path, {}, signal), [path]);
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  const rows = useMemo(() => {
    const needle = q.replace(/[\s-]/g, '');
    return (list.data?.data ?? []).filter((r) => !needle || r.number.includes(needle));
  }, [list.data, q]);

  async function exportCsv() {
    setError(null);
    setExporting(true);
    try {
      await saveDownload(
        path,
        { format: 'csv' },
        kind === 'optOuts' ? 'opt-outs.csv' : 'consents.csv',
      );
    } catch (err) {
      setError(err);
    } finally {
      setExporting(false);
    }
  }

  async function resubscribe(number: string) {
    setError(null);
    try {
      await api.delete(`/v1/opt-outs/${encodeURIComponent(number)}`);
      void message.success(t('compliance:optOuts.resubscribed', { number }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  function added(count: number) {
    void message.success(t('compliance:optOuts.added', { count }));
    list.reload();
  }

  const columns: ColumnsType<Row> = [
    { title: t('compliance:optOuts.number'), dataIndex: 'number' },
    kind === 'optOuts'
      ? {
          title: t('compliance:optOuts.source'),
          dataIndex: 'source',
          render: (v: string) =>
            v === 'import' || v === 'reply'
              ? t(`compliance:optOuts.sources.${v}`)
              : t('compliance:optOuts.sources.unknown', { source: v }),
        }
      : { title: t('compliance:optOuts.evidence'), dataIndex: 'evidence' },
    {
      title: t(
        kind === 'optOuts' ? 'compliance:optOuts.createdAt' : 'compliance:optOuts.consentAt',
      ),
      dataIndex: 'createdAt',
      width: 200,
      render: (v: string) => formatDateTime(v),
    },
    ...(kind === 'optOuts' && canManage
      ? [
          {
            title: t('compliance:common.actions'),
            key: 'actions',
            width: 140,
            render: (_: unknown, r: Row) => (
              <Popconfirm
                title={t('compliance:optOuts.resubscribeConfirm', { number: r.number })}
                okText={t('common:action.confirm')}
                cancelText={t('common:action.cancel')}
                onConfirm={() => resubscribe(r.number)}
              >
                <Button type="link" size="small">
                  {t('compliance:optOuts.resubscribe')}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <Space style={{ marginBottom: 16, display: 'flex', justifyContent: 'space-between' }} wrap>
        <Space wrap>
          <Input.Search
            allowClear
            aria-label={t('compliance:optOuts.search')}
            placeholder={t('compliance:optOuts.search')}
            style={{ width: 240 }}
            onSearch={setQ}
          />
          <span data-testid={`${kind}-count`} aria-live="polite">
            {t('compliance:optOuts.count', { n: formatNumber(list.data?.data.length ?? 0) })}
          </span>
        </Space>
        <Space wrap>
          {canManage ? (
            <>
              <Button type="primary" onClick={() => setAdding(true)}>
                {t(kind === 'optOuts' ? 'compliance:optOuts.add' : 'compliance:optOuts.addConsent')}
              </Button>
              <Button onClick={() => setImporting(true)}>
                {t('compliance:optOuts.importCsv')}
              </Button>
            </>
          ) : null}
          <Button onClick={exportCsv} loading={exporting}>
            {t('compliance:optOuts.exportCsv')}
          </Button>
        </Space>
      </Space>
      <ProblemAlert error={error} />
      <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<Row>
          rowKey="number"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        />
      </PageState>
      <AddNumbers
        kind={kind}
        open={adding}
        onClose={() => setAdding(false)}
        onDone={(n) => {
          setAdding(false);
          added(n);
        }}
      />
      <ImportCsv
        kind={kind}
        open={importing}
        onClose={() => setImporting(false)}
        onDone={(n) => {
          setImporting(false);
          added(n);
        }}
      />
    </>
  );
}

function AddNumbers({
  kind,
  open,
  onClose,
  onDone,
}: {
  kind: NumberListKind;
  open: boolean;
  onClose: () => void;
  onDone: (added: number) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ numbers: string; evidence?: string }>();
  const { submit, busy, error } = useFormSubmit(
    form,
    ['numbers', 'evidence'],
    async (v: { numbers: string; evidence?: string }) => {
      const r = await api.post<{ added: number }>(PATH[kind], {
        numbers: splitNumbers(v.numbers),
        ...(kind === 'consents' ? { evidence: v.evidence?.trim() ?? '' } : {}),
      });
      form.resetFields();
      onDone(r.added);
    },
    { alertOnField: false },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t(kind === 'optOuts' ? 'compliance:optOuts.add' : 'compliance:optOuts.addConsent')}
      okText={t('common:action.submit')}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name={`add-${kind}`} onFinish={submit} preserve={false}>
        <Form.Item
          name="numbers"
          label={t('compliance:optOuts.numbers')}
          extra={t('compliance:optOuts.numbersHelp')}
          rules={[
            { required: true, whitespace: true, message: t('compliance:optOuts.numbersRequired') },
          ]}
        >
          <Input.TextArea rows={6} autoFocus />
        </Form.Item>
        {kind === 'consents' ? (
          <Form.Item
            name="evidence"
            label={t('compliance:optOuts.evidence')}
            extra={t('compliance:optOuts.evidenceHelp')}
            rules={[
              {
                required: true,
                whitespace: true,
                message: t('compliance:optOuts.evidenceRequired'),
              },
            ]}
          >
            <Input maxLength={500} />
          </Form.Item>
        ) : null}
      </Form>
    </FormModal>
  );
}

function ImportCsv({
  kind,
  open,
  onClose,
  onDone,
}: {
  kind: NumberListKind;
  open: boolean;
  onClose: () => void;
  onDone: (added: number) => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const r = await postCsv<{ added: number }>(PATH[kind], await file.text());
      onDone(r.added);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('compliance:optOuts.importTitle')}
      footer={null}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Typography.Paragraph>
        {t(
          kind === 'optOuts'
            ? 'compliance:optOuts.importOptOutHelp'
            : 'compliance:optOuts.importConsentHelp',
        )}
      </Typography.Paragraph>
      <span data-testid={`${kind}-import`}>
        <Upload
          accept=".csv,text/csv"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return Upload.LIST_IGNORE;
          }}
        >
          <Button type="primary" loading={busy}>
            {t('compliance:optOuts.chooseFile')}
          </Button>
        </Upload>
      </span>
    </Modal>
  );
}
