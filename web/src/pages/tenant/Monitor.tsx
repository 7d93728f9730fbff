// Live monitor (contract 1 §2.8: watch delivery live): status changes and receipts as they arrive
// on the event stream (GET /v1/events/stream), newest on top, with a count per status. Pausing
// keeps the list still and buffers what arrives; resuming puts it on top. A filter narrows the
// list shown (status, number contains).
import { useCallback, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  Badge,
  Button,
  Card,
  Input,
  Select,
  Space,
  Statistic,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import {
  useEventStream,
  type MessageStatusData,
  type StreamEvent,
} from '../../lib/useEventStream.ts';
import { STATUSES, StatusTag } from './messaging/status.tsx';
import { EmptyText } from '../../components/EmptyText.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

interface Row {
  seq: number;
  at: string;
  data: MessageStatusData;
}

/** Rows kept on screen, and arrivals kept while paused (the counters still count them all). */
const SHOWN = 200;
const BUFFERED = 5000;

const STATE_BADGE = { open: 'success', connecting: 'processing', reconnecting: 'warning' } as const;

export default function Monitor() {
  const { t } = useTranslation();
  const [rows, setRows] = useState<Row[]>([]);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [paused, setPaused] = useState(false);
  const [buffered, setBuffered] = useState(0);
  const [status, setStatus] = useState<string | undefined>();
  const [number, setNumber] = useState('');
  const pausedRef = useRef(false);
  const buffer = useRef<Row[]>([]);

  const onEvent = useCallback((e: StreamEvent) => {
    if (e.type !== 'message.status') return;
    const row: Row = { seq: e.seq, at: e.createdAt, data: e.data };
    setCounts((c) => ({ ...c, [e.data.status]: (c[e.data.status] ?? 0) + 1 }));
    if (pausedRef.current) {
      buffer.current.push(row);
      if (buffer.current.length > BUFFERED)
        buffer.current.splice(0, buffer.current.length - BUFFERED);
      setBuffered((n) => n + 1);
      return;
    }
    setRows((r) => [row, ...r].slice(0, SHOWN));
  }, []);
  const state = useEventStream(onEvent);

  function togglePause() {
    if (!pausedRef.current) {
      pausedRef.current = true;
      setPaused(true);
      return;
    }
    pausedRef.current = false;
    const held = buffer.current.reverse();
    buffer.current = [];
    setRows((r) => [...held, ...r].slice(0, SHOWN));
    setBuffered(0);
    setPaused(false);
  }

  function clear() {
    setRows([]);
    setCounts({});
  }

  const shown = useMemo(() => {
    const digits = number.replace(/[\s-]/g, '');
    return rows.filter(
      (r) => (!status || r.data.status === status) && (!digits || r.data.to.includes(digits)),
    );
  }, [rows, status, number]);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle
        title={t('monitor:title')}
        extra={
          <span data-testid="stream-state" data-state={state} role="status">
            <Badge status={STATE_BADGE[state]} text={t(`monitor:state.${state}`)} />
          </span>
        }
      />

      <Card>
        <Space wrap size={[32, 16]} data-testid="status-counters">
          {STATUSES.map((s) => (
            <Statistic
              key={s}
              title={<StatusTag status={s} />}
              value={formatNumber(counts[s] ?? 0)}
              data-testid={`count-${s}`}
            />
          ))}
        </Space>
      </Card>

      <Card
        title={t('monitor:listTitle')}
        extra={
          <Space wrap>
            <Select
              allowClear
              aria-label={t('monitor:filter.status')}
              placeholder={t('monitor:filter.status')}
              style={{ width: 150 }}
              value={status}
              onChange={setStatus}
              options={STATUSES.map((s) => ({ value: s, label: t(`messages:status.${s}`) }))}
            />
            <Input
              allowClear
              aria-label={t('monitor:filter.number')}
              placeholder={t('monitor:filter.number')}
              style={{ width: 200 }}
              value={number}
              onChange={(e) => setNumber(e.target.value)}
            />
            <Tooltip title={paused ? t('monitor:resumeHelp') : t('monitor:pauseHelp')}>
              <Button
                type={paused ? 'primary' : 'default'}
                onClick={togglePause}
                data-testid="pause"
                aria-pressed={paused}
              >
                {paused ? t('monitor:resume', { n: formatNumber(buffered) }) : t('monitor:pause')}
              </Button>
            </Tooltip>
            <Button onClick={clear}>{t('monitor:clear')}</Button>
          </Space>
        }
      >
        {paused ? (
          <Typography.Paragraph type="warning" data-testid="buffered" aria-live="polite">
            {t('monitor:buffered', { n: formatNumber(buffered) })}
          </Typography.Paragraph>
        ) : null}
        <Table<Row>
          size="small"
          rowKey="seq"
          dataSource={shown}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{
            emptyText: <EmptyText>{t('monitor:empty')}</EmptyText>,
          }}
          onRow={(r) =>
            ({
              'data-testid': 'monitor-row',
              'data-message-id': r.data.messageId,
              'data-status': r.data.status,
            }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: t('monitor:col.time'), render: (_, r) => formatDateTime(r.at) },
            { title: t('monitor:col.to'), render: (_, r) => r.data.to },
            {
              title: t('monitor:col.status'),
              render: (_, r) => <StatusTag status={r.data.status} />,
            },
            {
              title: t('monitor:col.message'),
              render: (_, r) => (
                <Link to={`/messages/${r.data.messageId}`}>{r.data.messageId}</Link>
              ),
            },
            { title: t('monitor:col.parts'), render: (_, r) => formatNumber(r.data.parts) },
            {
              title: t('monitor:col.error'),
              render: (_, r) =>
                r.data.error
                  ? `${t(`messages:category.${r.data.error.category}`, { defaultValue: r.data.error.category })} · ${r.data.error.code}`
                  : '—',
            },
          ]}
        />
      </Card>
    </Space>
  );
}
