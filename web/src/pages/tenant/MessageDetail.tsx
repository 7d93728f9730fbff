// One message (GET /v1/messages/:id?include=text,events): every field, the text as the recipient
// got it (reading it is recorded in the audit log), its parts with their carrier ids and receipts,
// and the timeline of states and receipts.
import { Link, useParams } from 'react-router';
import { Alert, Card, Descriptions, Space, Table, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useApi } from '../../lib/useApi.ts';
import { PageState } from '../../components/PageState.tsx';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format.ts';
import { FINAL, StatusTag, encodingLabel } from './messaging/status.tsx';
import type { Message, PartDetail, TimelineEvent } from './messaging/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';

function eventColour(e: TimelineEvent): string {
  if (e.type === 'submit_failed') return 'red';
  if (e.status === 'delivered') return 'green';
  if (e.status && FINAL.has(e.status)) return 'red';
  if (e.type === 'receipt') return 'blue';
  return 'gray';
}

export default function MessageDetail() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const {
    data: m,
    error,
    loading,
    reload,
  } = useApi(
    (signal) =>
      api.get<Message>(
        `/v1/messages/${encodeURIComponent(id)}`,
        { include: 'text,events' },
        signal,
      ),
    [id],
  );

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Space align="baseline" wrap>
        <Link to="/messages">{t('messages:detail.back')}</Link>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('messages:detail.title')}
        </Typography.Title>
      </Space>
      <PageState loading={loading && !m} error={error} onRetry={reload}>
        {m ? (
          <>
            <Card>
              <Descriptions
                bordered
                size="small"
                column={{ xs: 1, md: 2 }}
                data-testid="message-fields"
              >
                <Descriptions.Item label={t('messages:detail.id')}>
                  <Typography.Text copyable>{m.id}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.status')}>
                  <StatusTag status={m.status} />
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.to')}>{m.to}</Descriptions.Item>
                <Descriptions.Item label={t('messages:filter.class')}>
                  {t(`messages:class.${m.class}`, { defaultValue: m.class })}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:filter.batchId')}>
                  <Link to={`/messages?batchId=${encodeURIComponent(m.batchId)}`}>{m.batchId}</Link>
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:filter.clientRef')}>
                  {m.clientRef ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.parts')}>
                  {formatNumber(m.parts)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.encoding')}>
                  {encodingLabel(m.encoding)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.pricePerPart')}>
                  {formatMoney(m.pricePerPart)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.price')}>
                  {formatMoney(m.price)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.charged')}>
                  {formatMoney(m.charged)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.billing')}>
                  {t(`messages:billing.${m.billing}`, { defaultValue: m.billing })}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.channel')}>
                  {m.channel ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:col.time')}>
                  {formatDateTime(m.createdAt)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.submittedAt')}>
                  {formatDateTime(m.submittedAt)}
                </Descriptions.Item>
                <Descriptions.Item label={t('messages:detail.doneAt')}>
                  {formatDateTime(m.doneAt)}
                </Descriptions.Item>
                {m.error ? (
                  <Descriptions.Item label={t('messages:detail.error')} span={2}>
                    <Space wrap>
                      <ToneTag tone="error">
                        {t(`messages:category.${m.error.category}`, {
                          defaultValue: m.error.category,
                        })}
                      </ToneTag>
                      <Typography.Text code>{m.error.code}</Typography.Text>
                      {m.error.detail}
                    </Space>
                  </Descriptions.Item>
                ) : null}
                {m.compliance ? (
                  <Descriptions.Item label={t('messages:detail.compliance')} span={2}>
                    {t('messages:detail.complianceText', {
                      category: m.compliance.category,
                      matched: m.compliance.matched,
                      action: m.compliance.action,
                    })}
                  </Descriptions.Item>
                ) : null}
                <Descriptions.Item label={t('messages:col.text')} span={2}>
                  <div
                    data-testid="message-text"
                    style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                  >
                    {m.text ?? '—'}
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('messages:detail.textAudited')}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Card>

            <Card title={t('messages:detail.parts')}>
              <Table<PartDetail>
                size="small"
                rowKey="seq"
                dataSource={m.partDetails ?? []}
                pagination={false}
                columns={[
                  { title: t('messages:detail.seq'), dataIndex: 'seq' },
                  {
                    title: t('messages:col.status'),
                    dataIndex: 'status',
                    render: (s: string) => <StatusTag status={s} />,
                  },
                  {
                    title: t('messages:detail.carrierId'),
                    dataIndex: 'carrierId',
                    render: (v) => v ?? '—',
                  },
                  {
                    title: t('messages:detail.receipt'),
                    render: (_, p) =>
                      p.stat || p.err ? `${p.stat ?? ''}${p.err ? ` / ${p.err}` : ''}` : '—',
                  },
                  {
                    title: t('messages:detail.commandStatus'),
                    dataIndex: 'commandStatus',
                    render: (v: number | null) =>
                      v === null ? '—' : `0x${v.toString(16).padStart(8, '0')}`,
                  },
                  {
                    title: t('messages:detail.submittedAt'),
                    dataIndex: 'submittedAt',
                    render: (v: string | null) => formatDateTime(v),
                  },
                  {
                    title: t('messages:detail.doneAt'),
                    dataIndex: 'doneAt',
                    render: (v: string | null) => formatDateTime(v),
                  },
                ]}
              />
            </Card>

            <Card title={t('messages:detail.timeline')}>
              {(m.events ?? []).length === 0 ? (
                <Alert type="info" title={t('common:state.empty')} />
              ) : (
                <Timeline
                  data-testid="timeline"
                  items={(m.events ?? []).map((e, i) => ({
                    key: i,
                    color: eventColour(e),
                    content: (
                      <div
                        data-testid="timeline-event"
                        data-type={e.type}
                        data-status={e.status ?? ''}
                      >
                        <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>{' '}
                        <strong>{t(`messages:event.${e.type}`)}</strong>{' '}
                        {e.status ? <StatusTag status={e.status} /> : null}
                        {e.part !== null ? t('messages:event.part', { n: e.part }) : null}
                        {e.detail ? (
                          <Typography.Text code style={{ marginInlineStart: 8 }}>
                            {e.detail}
                          </Typography.Text>
                        ) : null}
                      </div>
                    ),
                  }))}
                />
              )}
            </Card>
          </>
        ) : null}
      </PageState>
    </Space>
  );
}
