// After sending: one row per recipient, accepted (message id, status, parts, price) or refused
// (the code and the server's reason); a link to the batch in the message log.
import { Button, Card, Result, Space, Table } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { formatMoney, formatNumber } from '../../../lib/format.ts';
import { StatusTag } from './status.tsx';
import type { Accepted } from './types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

interface Row {
  key: string;
  to: string;
  id?: string;
  status?: string;
  parts?: number;
  price?: Accepted['messages'][number]['price'];
  code?: string;
  detail?: string;
}

export function SendResult({ result, onAgain }: { result: Accepted; onAgain: () => void }) {
  const { t } = useTranslation();
  const rows: Row[] = [
    ...result.messages.map((m) => ({ key: m.id, ...m })),
    ...result.rejected.map((r, i) => ({ key: `rejected-${i}`, ...r })),
  ];
  return (
    <Card data-testid="send-result">
      <Result
        status={result.messages.length > 0 ? 'success' : 'error'}
        title={t('send:result.title', {
          accepted: formatNumber(result.messages.length),
          rejected: formatNumber(result.rejected.length),
        })}
        subTitle={
          <>
            {t('send:result.batch')}{' '}
            <Link
              to={`/messages?batchId=${encodeURIComponent(result.batchId)}`}
              data-testid="batch-link"
            >
              {result.batchId}
            </Link>
          </>
        }
        extra={
          <Space>
            <Button type="primary" onClick={onAgain}>
              {t('send:action.again')}
            </Button>
            <Link to="/monitor">{t('send:result.watch')}</Link>
          </Space>
        }
      />
      <Table<Row>
        size="small"
        dataSource={rows}
        pagination={rows.length > 20 ? { pageSize: 20 } : false}
        columns={[
          { title: t('send:result.number'), dataIndex: 'to' },
          {
            title: t('send:result.outcome'),
            render: (_, r) =>
              r.id ? (
                <StatusTag status={r.status!} />
              ) : (
                <ToneTag tone="error">{t('send:result.rejected')}</ToneTag>
              ),
          },
          {
            title: t('send:result.message'),
            render: (_, r) =>
              r.id ? (
                <Link to={`/messages/${r.id}`}>{r.id}</Link>
              ) : (
                <span>
                  <ToneTag>{r.code}</ToneTag> {r.detail}
                </span>
              ),
          },
          { title: t('send:result.parts'), render: (_, r) => (r.id ? formatNumber(r.parts) : '—') },
          {
            title: t('send:result.price'),
            render: (_, r) => (r.price ? formatMoney(r.price) : '—'),
          },
        ]}
      />
    </Card>
  );
}
