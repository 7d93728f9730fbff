// Inbound messages (上行短信): the replies routed to this tenant, newest first, filtered by sender,
// address and time (GET /v1/inbound, cursor-paginated), one message's detail
// (GET /v1/inbound/:id), and the reply addresses (GET /v1/inbound/settings; operators set them).
import { useState } from 'react';
import {
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Space,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, type Query } from '../../api/client.ts';
import { CursorTable } from '../../components/CursorTable.tsx';
import { PageState } from '../../components/PageState.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useCursorList } from '../../lib/useCursorList.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ToneTag } from '../../components/ToneTag.tsx';

interface InboundMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  subCode: string | null;
  routedBy: 'extension' | 'keyword' | 'recent' | null;
  keyword: string | null;
  parts: number;
  partsReceived: number;
  partial: boolean;
  receivedAt: string;
}

interface Settings {
  extension: string;
  replyAddresses: string[];
  keywords: string[];
}

interface FilterFields {
  from?: string;
  to?: string;
  since?: Dayjs | null;
}

export default function Inbound() {
  const { t } = useTranslation();
  const [form] = Form.useForm<FilterFields>();
  const [filters, setFilters] = useState<Query>({});
  const list = useCursorList<InboundMessage>('/v1/inbound', filters);
  const [detail, setDetail] = useState<InboundMessage | null>(null);

  function apply(v: FilterFields) {
    setFilters({
      from: v.from?.trim() || undefined,
      to: v.to?.trim() || undefined,
      since: v.since ? v.since.toISOString() : undefined,
    });
  }

  const columns: ColumnsType<InboundMessage> = [
    {
      title: t('inbound:columns.receivedAt'),
      dataIndex: 'receivedAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
    },
    { title: t('inbound:columns.from'), dataIndex: 'from', width: 160 },
    { title: t('inbound:columns.to'), dataIndex: 'to', width: 160 },
    {
      title: t('inbound:columns.text'),
      dataIndex: 'text',
      render: (v: string, m) => (
        <Space size={4} wrap>
          <Typography.Text ellipsis style={{ maxWidth: 360 }}>
            {v}
          </Typography.Text>
          {m.partial ? <ToneTag tone="warning">{t('inbound:partial')}</ToneTag> : null}
        </Space>
      ),
    },
    {
      title: t('inbound:columns.routedBy'),
      dataIndex: 'routedBy',
      width: 120,
      render: (v: InboundMessage['routedBy'], m) => <RoutedBy routedBy={v} keyword={m.keyword} />,
    },
    {
      title: t('inbound:columns.actions'),
      key: 'actions',
      width: 90,
      render: (_, m) => (
        <Button type="link" size="small" onClick={() => setDetail(m)}>
          {t('common:action.view')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('inbound:title')} intro={t('inbound:intro')} />
      <ReplySettings />
      <Form<FilterFields>
        form={form}
        layout="inline"
        name="inbound-filters"
        onFinish={apply}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="from" label={t('inbound:filters.from')}>
          <Input allowClear placeholder={t('inbound:filters.fromPlaceholder')} maxLength={32} />
        </Form.Item>
        <Form.Item name="to" label={t('inbound:filters.to')}>
          <Input allowClear placeholder={t('inbound:filters.toPlaceholder')} maxLength={32} />
        </Form.Item>
        <Form.Item name="since" label={t('inbound:filters.since')}>
          <DatePicker showTime />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('common:action.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({});
              }}
            >
              {t('common:action.reset')}
            </Button>
            <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
          </Space>
        </Form.Item>
      </Form>
      <CursorTable<InboundMessage> list={list} rowKey="id" columns={columns} />
      <Drawer
        open={detail !== null}
        title={t('inbound:detail.title')}
        size={520}
        onClose={() => setDetail(null)}
      >
        {detail ? <InboundDetail id={detail.id} initial={detail} /> : null}
      </Drawer>
    </>
  );
}

function RoutedBy({
  routedBy,
  keyword,
}: {
  routedBy: InboundMessage['routedBy'];
  keyword: string | null;
}) {
  const { t } = useTranslation();
  if (!routedBy) return <>{t('inbound:routedBy.none')}</>;
  return (
    <Tooltip title={t(`inbound:routedByHelp.${routedBy}`)}>
      <ToneTag tabIndex={0} tone={routedBy === 'recent' ? 'default' : 'processing'}>
        {t(`inbound:routedBy.${routedBy}`)}
        {routedBy === 'keyword' && keyword ? ` · ${keyword}` : ''}
      </ToneTag>
    </Tooltip>
  );
}

/** The message as the list gave it, refreshed from GET /v1/inbound/:id. */
function InboundDetail({ id, initial }: { id: string; initial: InboundMessage }) {
  const { t } = useTranslation();
  const one = useApi(
    (signal) => api.get<InboundMessage>(`/v1/inbound/${encodeURIComponent(id)}`, {}, signal),
    [id],
  );
  const m = one.data ?? initial;
  return (
    <PageState loading={false} error={one.error} onRetry={one.reload}>
      <Descriptions column={1} bordered size="small" data-testid="inbound-detail">
        <Descriptions.Item label={t('inbound:detail.id')}>{m.id}</Descriptions.Item>
        <Descriptions.Item label={t('inbound:columns.receivedAt')}>
          {formatDateTime(m.receivedAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('inbound:columns.from')}>{m.from}</Descriptions.Item>
        <Descriptions.Item label={t('inbound:columns.to')}>{m.to}</Descriptions.Item>
        <Descriptions.Item label={t('inbound:detail.subCode')}>
          {m.subCode ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('inbound:columns.routedBy')}>
          <RoutedBy routedBy={m.routedBy} keyword={m.keyword} />
        </Descriptions.Item>
        <Descriptions.Item label={t('inbound:detail.parts')}>
          {t('inbound:partsOf', { received: m.partsReceived, total: m.parts })}
          {m.partial ? <ToneTag tone="warning">{t('inbound:partial')}</ToneTag> : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('inbound:columns.text')}>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }} copyable>
            {m.text}
          </Typography.Paragraph>
        </Descriptions.Item>
      </Descriptions>
    </PageState>
  );
}

/** Read-only for tenants: the API lets only operators set extension codes and keywords. */
function ReplySettings() {
  const { t } = useTranslation();
  const s = useApi((signal) => api.get<Settings>('/v1/inbound/settings', {}, signal), []);
  return (
    <Card size="small" title={t('inbound:settings.title')} style={{ marginBottom: 16 }}>
      <PageState loading={s.loading} error={s.error} onRetry={s.reload}>
        {s.data ? (
          <>
            <Descriptions column={{ xs: 1, md: 3 }} size="small" data-testid="inbound-settings">
              <Descriptions.Item label={t('inbound:settings.extension')}>
                {s.data.extension}
              </Descriptions.Item>
              <Descriptions.Item label={t('inbound:settings.replyAddresses')}>
                <Space size={4} wrap>
                  {s.data.replyAddresses.map((a) => (
                    <ToneTag key={a}>{a}</ToneTag>
                  ))}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('inbound:settings.keywords')}>
                {s.data.keywords.length
                  ? s.data.keywords.map((k) => <ToneTag key={k}>{k}</ToneTag>)
                  : t('inbound:settings.noKeywords')}
              </Descriptions.Item>
            </Descriptions>
            <Typography.Text type="secondary">{t('inbound:settings.note')}</Typography.Text>
          </>
        ) : null}
      </PageState>
    </Card>
  );
}
