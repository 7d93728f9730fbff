// The message log (GET /v1/messages): filters above a server-paginated table, the text as the
// recipient got it on request (each page read is audited), and the filtered list as CSV or XLSX
// (GET /v1/messages/export, streamed by the server). Filters live in the address, so a batch link
// from the send page or a bookmark opens the same list.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Button, Card, DatePicker, Form, Input, Select, Space, Switch, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ApiError, downloadUrl, type Query } from '../../api/client.ts';
import { CursorTable } from '../../components/CursorTable.tsx';
import { useCursorList } from '../../lib/useCursorList.ts';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format.ts';
import { CATEGORIES, CLASSES, STATUSES, StatusTag, encodingLabel } from './messaging/status.tsx';
import type { Message } from './messaging/types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

type FilterName =
  'status' | 'to' | 'batchId' | 'clientRef' | 'class' | 'category' | 'from' | 'until';

interface FilterForm {
  status?: string;
  to?: string;
  batchId?: string;
  clientRef?: string;
  class?: string;
  category?: string;
  dates?: [Dayjs | null, Dayjs | null] | null;
}

const DAY = 'YYYY-MM-DD';

/** The API's query from the address: dates are whole local days, the end day included. */
function apiQuery(params: URLSearchParams): Query {
  const q: Query = {};
  for (const k of ['status', 'to', 'batchId', 'clientRef', 'class', 'category'] as const) {
    const v = params.get(k);
    if (v) q[k] = v;
  }
  const from = params.get('from');
  const until = params.get('until');
  if (from && dayjs(from, DAY).isValid()) q.createdAfter = dayjs(from).startOf('day').toISOString();
  if (until && dayjs(until, DAY).isValid())
    q.createdBefore = dayjs(until).add(1, 'day').startOf('day').toISOString();
  return q;
}

export default function Messages() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<FilterForm>();
  const [showText, setShowText] = useState(false);

  const query = useMemo(() => apiQuery(params), [params]);
  const list = useCursorList<Message>(
    '/v1/messages',
    { ...query, ...(showText ? { include: 'text' } : {}) },
    { limit: 20 },
  );

  // The form shows what the address says (a batch link, back/forward).
  useEffect(() => {
    const from = params.get('from');
    const until = params.get('until');
    form.setFieldsValue({
      status: params.get('status') ?? undefined,
      to: params.get('to') ?? undefined,
      batchId: params.get('batchId') ?? undefined,
      clientRef: params.get('clientRef') ?? undefined,
      class: params.get('class') ?? undefined,
      category: params.get('category') ?? undefined,
      dates: from || until ? [from ? dayjs(from) : null, until ? dayjs(until) : null] : null,
    });
  }, [params, form]);

  // A filter the server refused (a number it cannot read): marked on its field.
  useEffect(() => {
    const err = list.error;
    if (err instanceof ApiError && err.field && err.detail) {
      const field =
        err.field === 'createdAfter' || err.field === 'createdBefore' ? 'dates' : err.field;
      if (['status', 'to', 'batchId', 'clientRef', 'class', 'category', 'dates'].includes(field))
        form.setFields([{ name: field as keyof FilterForm, errors: [err.detail] }]);
    }
  }, [list.error, form]);

  function apply(v: FilterForm) {
    const next = new URLSearchParams();
    const set = (k: FilterName, value: string | undefined | null) => {
      if (value && value.trim()) next.set(k, value.trim());
    };
    set('status', v.status);
    set('to', v.to);
    set('batchId', v.batchId);
    set('clientRef', v.clientRef);
    set('class', v.class);
    set('category', v.category);
    set('from', v.dates?.[0]?.format(DAY));
    set('until', v.dates?.[1]?.format(DAY));
    setParams(next);
  }

  function reset() {
    form.resetFields();
    setParams(new URLSearchParams());
  }

  const exportQuery = { ...query, ...(showText ? { include: 'text' } : {}) };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle title={t('messages:title')} />
      <Card>
        <Form<FilterForm>
          form={form}
          name="message-filters"
          layout="inline"
          onFinish={apply}
          style={{ rowGap: 12 }}
        >
          <Form.Item name="status" label={t('messages:filter.status')}>
            <Select
              allowClear
              style={{ width: 140 }}
              placeholder={t('messages:filter.any')}
              options={STATUSES.map((s) => ({ value: s, label: t(`messages:status.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="to" label={t('messages:filter.to')}>
            <Input allowClear style={{ width: 180 }} placeholder="13800138000" />
          </Form.Item>
          <Form.Item name="batchId" label={t('messages:filter.batchId')}>
            <Input allowClear style={{ width: 240 }} />
          </Form.Item>
          <Form.Item name="clientRef" label={t('messages:filter.clientRef')}>
            <Input allowClear style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="dates" label={t('messages:filter.dates')}>
            <DatePicker.RangePicker
              allowEmpty={[true, true]}
              aria-label={t('messages:filter.dates')}
            />
          </Form.Item>
          <Form.Item name="class" label={t('messages:filter.class')}>
            <Select
              allowClear
              style={{ width: 130 }}
              placeholder={t('messages:filter.any')}
              options={CLASSES.map((c) => ({ value: c, label: t(`messages:class.${c}`) }))}
            />
          </Form.Item>
          <Form.Item name="category" label={t('messages:filter.category')}>
            <Select
              allowClear
              style={{ width: 150 }}
              placeholder={t('messages:filter.any')}
              options={CATEGORIES.map((c) => ({ value: c, label: t(`messages:category.${c}`) }))}
            />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('common:action.search')}
              </Button>
              <Button onClick={reset}>{t('common:action.reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>

      <Card
        title={t('messages:listTitle')}
        extra={
          <Space wrap>
            <Tooltip title={t('messages:showTextAudited')}>
              <Space>
                <Switch
                  checked={showText}
                  onChange={setShowText}
                  aria-label={t('messages:showText')}
                  data-testid="show-text"
                />
                <span aria-hidden="true">{t('messages:showText')}</span>
              </Space>
            </Tooltip>
            <Button
              href={downloadUrl('/v1/messages/export', { ...exportQuery, format: 'csv' })}
              download
              data-testid="export-csv"
            >
              {t('messages:export.csv')}
            </Button>
            <Button
              href={downloadUrl('/v1/messages/export', { ...exportQuery, format: 'xlsx' })}
              download
              data-testid="export-xlsx"
            >
              {t('messages:export.xlsx')}
            </Button>
          </Space>
        }
      >
        <CursorTable<Message>
          list={list}
          rowKey="id"
          scroll={{ x: 'max-content' }}
          onRow={(m) => ({
            onClick: (e) => {
              if ((e.target as HTMLElement).closest('a,button')) return;
              void navigate(`/messages/${m.id}`);
            },
            style: { cursor: 'pointer' },
          })}
          columns={[
            {
              title: t('messages:col.time'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
            { title: t('messages:col.to'), dataIndex: 'to' },
            {
              title: t('messages:col.status'),
              dataIndex: 'status',
              render: (s: string) => <StatusTag status={s} />,
            },
            {
              title: t('messages:col.parts'),
              dataIndex: 'parts',
              align: 'right',
              render: (n: number) => formatNumber(n),
            },
            {
              title: t('messages:col.encoding'),
              dataIndex: 'encoding',
              render: (e: string) => encodingLabel(e),
            },
            {
              title: t('messages:col.price'),
              dataIndex: 'price',
              align: 'right',
              render: (_, m) => formatMoney(m.price),
            },
            {
              title: t('messages:col.category'),
              render: (_, m) =>
                m.error ? (
                  <Tooltip title={`${m.error.code}${m.error.detail ? ` · ${m.error.detail}` : ''}`}>
                    <span>
                      {t(`messages:category.${m.error.category}`, {
                        defaultValue: m.error.category,
                      })}
                    </span>
                  </Tooltip>
                ) : (
                  '—'
                ),
            },
            ...(showText
              ? [
                  {
                    title: t('messages:col.text'),
                    key: 'text',
                    render: (_: unknown, m: Message) => (
                      <div
                        style={{ maxWidth: 360, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                      >
                        {m.text ?? '—'}
                      </div>
                    ),
                  },
                ]
              : []),
            {
              title: t('messages:col.action'),
              key: 'action',
              render: (_, m) => <Link to={`/messages/${m.id}`}>{t('common:action.view')}</Link>,
            },
          ]}
        />
      </Card>
    </Space>
  );
}
