// Reviews (审核): the queues of signatures, templates and held content. One click approves a row;
// rejecting asks for the reason the tenant is told. Selected rows are approved together (the API
// decides one item per call, so the console sends them one by one and reports each failure).
// The queues are short lists the API returns whole; the table pages them on screen.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Select,
  Space,
  Table,
  Tabs,
  Typography,
  type TableColumnsType,
} from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ProblemAlert, problemText } from '../../components/ProblemAlert.tsx';
import { useApi } from '../../lib/useApi.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { TenantLink } from './tenants/TenantPicker.tsx';
import { ToneTag, type Tone } from '../../components/ToneTag.tsx';
import { EmptyText } from '../../components/EmptyText.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ReasonModal } from '../../components/ReasonModal.tsx';

type Queue = 'signatures' | 'templates' | 'reviews';
const QUEUES: Queue[] = ['signatures', 'templates', 'reviews'];

interface Item {
  id: string;
  tenantId: string;
  status: string;
  reason: string | null;
  createdAt: string;
  // signatures
  text?: string;
  proofRef?: string | null;
  // templates
  name?: string;
  body?: string;
  variables?: string[];
  class?: string;
  // held content
  batchId?: string;
  messages?: number;
  rule?: string | null;
  category?: string | null;
  matched?: string | null;
  expiresAt?: string;
}

const STATUS_TONES: Record<string, Tone> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  expired: 'default',
};

export default function Reviews() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = (QUEUES as string[]).includes(params.get('queue') ?? '')
    ? (params.get('queue') as Queue)
    : 'templates';
  return (
    <>
      <PageTitle title={t('opReview:title')} />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams({ queue: k }, { replace: true })}
          destroyOnHidden
          items={QUEUES.map((q) => ({
            key: q,
            label: t(`opReview:queue.${q}`),
            children: <QueueTable queue={q} />,
          }))}
        />
      </Card>
    </>
  );
}

function QueueTable({ queue }: { queue: Queue }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState('pending');
  const [selected, setSelected] = useState<string[]>([]);
  const [rejecting, setRejecting] = useState<Item | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const list = useApi(
    (signal) => api.get<{ data: Item[] }>(`/v1/admin/${queue}`, { status }, signal),
    [queue, status],
  );
  const rows = list.data?.data ?? [];
  const statuses =
    queue === 'reviews'
      ? ['pending', 'approved', 'rejected', 'expired']
      : ['pending', 'approved', 'rejected'];

  const decide = (id: string, decision: 'approved' | 'rejected', reason = '') =>
    api.post(`/v1/admin/${queue}/${id}/decision`, { decision, reason });

  async function approve(ids: string[]) {
    setBusy(ids.length === 1 ? ids[0]! : 'batch');
    setError(null);
    let ok = 0;
    const failed: string[] = [];
    for (const id of ids) {
      try {
        await decide(id, 'approved');
        ok++;
      } catch (err) {
        const p = problemText(err, t);
        failed.push(`${id}: ${[p.title, p.detail].filter(Boolean).join(' · ')}`);
        if (ids.length === 1) setError(err);
      }
    }
    setBusy(null);
    setSelected([]);
    if (ok > 0) void message.success(t('opReview:approved', { count: ok }));
    if (failed.length > 0 && ids.length > 1)
      setError(new Error(t('opReview:batchFailed', { list: failed.join('; ') })));
    list.reload();
  }

  const statusColumn = {
    title: t('opReview:col.status'),
    dataIndex: 'status',
    render: (_: unknown, r: Item) => (
      <>
        <ToneTag tone={STATUS_TONES[r.status] ?? 'default'} data-status={r.status}>
          {t(`opReview:status.${r.status}`, { defaultValue: r.status })}
        </ToneTag>
        {r.reason ? (
          <div>
            <Typography.Text type="secondary">{r.reason}</Typography.Text>
          </div>
        ) : null}
      </>
    ),
  };
  const tenantColumn = {
    title: t('opReview:col.tenant'),
    dataIndex: 'tenantId',
    render: (id: string) => <TenantLink id={id} />,
  };
  const createdColumn = {
    title: t('opReview:col.createdAt'),
    dataIndex: 'createdAt',
    render: (v: string) => formatDateTime(v),
  };
  const actions = {
    title: t('opReview:col.actions'),
    key: 'actions',
    render: (_: unknown, r: Item) =>
      r.status === 'pending' ? (
        <Space>
          <Button
            type="primary"
            size="small"
            loading={busy === r.id}
            disabled={busy !== null && busy !== r.id}
            onClick={() => void approve([r.id])}
            autoInsertSpace={false}
            aria-label={t('opReview:approveOne', { what: label(r) })}
          >
            {t('common:action.approve')}
          </Button>
          <Button
            danger
            size="small"
            disabled={busy !== null}
            onClick={() => setRejecting(r)}
            autoInsertSpace={false}
            aria-label={t('opReview:rejectOne', { what: label(r) })}
          >
            {t('common:action.reject')}
          </Button>
        </Space>
      ) : null,
  };

  const specific: Record<Queue, TableColumnsType<Item>> = {
    signatures: [
      {
        title: t('opReview:col.signature'),
        dataIndex: 'text',
        render: (v: string) => <Typography.Text strong>【{v}】</Typography.Text>,
      },
      {
        title: t('opReview:col.proof'),
        dataIndex: 'proofRef',
        render: (v: string | null) => v || '—',
      },
    ],
    templates: [
      { title: t('opReview:col.name'), dataIndex: 'name' },
      {
        title: t('opReview:col.body'),
        dataIndex: 'body',
        render: (v: string, r) => (
          <>
            <div style={{ whiteSpace: 'pre-wrap', maxWidth: 420 }}>{v}</div>
            {r.variables && r.variables.length > 0 ? (
              <Typography.Text type="secondary">
                {t('opReview:variables', { list: r.variables.join(', ') })}
              </Typography.Text>
            ) : null}
          </>
        ),
      },
      {
        title: t('opReview:col.class'),
        dataIndex: 'class',
        render: (c: string) => t(`opTenants:classes.${c}`, { defaultValue: c }),
      },
    ],
    reviews: [
      {
        title: t('opReview:col.batch'),
        dataIndex: 'batchId',
        render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
      },
      {
        title: t('opReview:col.messages'),
        dataIndex: 'messages',
        align: 'right',
        render: (n: number) => formatNumber(n),
      },
      {
        title: t('opReview:col.rule'),
        key: 'rule',
        render: (_: unknown, r) =>
          [
            r.category ? t(`opReview:category.${r.category}`, { defaultValue: r.category }) : null,
            r.matched ? `“${r.matched}”` : null,
            r.rule,
          ]
            .filter(Boolean)
            .join(' · ') || '—',
      },
      {
        title: t('opReview:col.expiresAt'),
        dataIndex: 'expiresAt',
        render: (v: string) => formatDateTime(v),
      },
    ],
  };

  return (
    <>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('opReview:statusFilter')}
          value={status}
          onChange={(s) => {
            setStatus(s);
            setSelected([]);
          }}
          style={{ width: 160 }}
          options={statuses.map((s) => ({ value: s, label: t(`opReview:status.${s}`) }))}
        />
        {status === 'pending' ? (
          <Button
            type="primary"
            disabled={selected.length === 0 || busy !== null}
            loading={busy === 'batch'}
            onClick={() => void approve(selected)}
          >
            {t('opReview:approveSelected', { count: selected.length })}
          </Button>
        ) : null}
        <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
      </Space>
      <ProblemAlert error={error ?? list.error} onRetry={list.error ? list.reload : undefined} />
      <Table<Item>
        size="middle"
        rowKey="id"
        data-testid={`queue-${queue}`}
        loading={list.loading}
        dataSource={rows}
        locale={{
          emptyText: (
            <EmptyText>
              {t(status === 'pending' ? 'opReview:emptyPending' : 'common:state.empty')}
            </EmptyText>
          ),
        }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        rowSelection={
          status === 'pending'
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys as string[]),
                getCheckboxProps: (r) => ({ 'aria-label': label(r) }) as never,
              }
            : undefined
        }
        columns={[tenantColumn, ...specific[queue], statusColumn, createdColumn, actions]}
      />
      <RejectModal
        queue={queue}
        item={rejecting}
        onClose={() => setRejecting(null)}
        onDone={() => {
          setRejecting(null);
          list.reload();
        }}
      />
    </>
  );
}

/** How a row is named in a label: the signature, the template's name, or the batch. */
function label(r: Item): string {
  return r.text ?? r.name ?? r.batchId ?? r.id;
}

function RejectModal({
  queue,
  item,
  onClose,
  onDone,
}: {
  queue: Queue;
  item: Item | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <ReasonModal
      open={item !== null}
      name="review-reject"
      title={t('opReview:rejectTitle', { what: item ? label(item) : null })}
      label={t('opReview:reason')}
      hint={t('opReview:reasonHint')}
      requiredMessage={t('opReview:reasonRequired')}
      okText={t('common:action.reject')}
      onSubmit={async (reason) => {
        if (!item) return;
        await api.post(`/v1/admin/${queue}/${item.id}/decision`, { decision: 'rejected', reason });
        void message.success(t('opReview:rejected'));
        onDone();
      }}
      onClose={onClose}
    />
  );
}
