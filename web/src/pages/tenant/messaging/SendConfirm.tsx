// The confirm step: what the server says sending would do (POST /v1/messages/estimate), the text
// exactly as the recipient gets it, the price and the balance after; "send" only from here.
import { Alert, Button, Card, Descriptions, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatMoney, formatNumber } from '../../../lib/format.ts';
import { encodingLabel } from './status.tsx';
import type { Estimate } from './types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

export function SendConfirm({
  estimate: e,
  busy,
  onBack,
  onSend,
}: {
  estimate: Estimate;
  busy: boolean;
  onBack: () => void;
  onSend: () => void;
}) {
  const { t } = useTranslation();
  const r = e.recipients;
  const refused = [...r.invalid, ...r.refused];
  const blocking = r.valid === 0 || !e.affordable || e.text === null;
  return (
    <Card title={t('send:confirm.title')} data-testid="estimate">
      {e.issues.length > 0 ? (
        <Alert
          type={blocking ? 'error' : 'warning'}
          showIcon
          style={{ marginBottom: 16 }}
          title={t('send:confirm.issues')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {e.issues.map((i, n) => (
                <li key={n}>
                  <Typography.Text code>{i.code}</Typography.Text> {i.detail}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={t('send:confirm.submitted')}>
          {formatNumber(r.submitted)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.valid')}>
          <strong data-testid="estimate-valid">{formatNumber(r.valid)}</strong>
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.duplicates')}>
          <span data-testid="estimate-duplicates">{formatNumber(r.duplicates)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.invalid')}>
          <span data-testid="estimate-invalid">{formatNumber(r.invalid.length)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.optedOut')}>
          {formatNumber(r.optedOut)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.blocked')}>
          {formatNumber(r.blocked)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.class')}>
          {t(`messages:class.${e.class}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.encoding')}>
          {encodingLabel(e.encoding)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.parts')}>
          <span data-testid="estimate-parts">{formatNumber(e.parts)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.totalParts')}>
          {formatNumber(e.totalParts)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.pricePerPart')}>
          {e.pricePerPart ? formatMoney(e.pricePerPart) : t('send:confirm.priceVaries')}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.total')}>
          <strong data-testid="estimate-total">{formatMoney(e.total)}</strong>
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.available')}>
          {formatMoney(e.available)}
        </Descriptions.Item>
        <Descriptions.Item label={t('send:confirm.balanceAfter')}>
          <Typography.Text type={e.affordable ? undefined : 'danger'}>
            {formatMoney(e.balanceAfter)}
          </Typography.Text>
        </Descriptions.Item>
        {e.review ? (
          <Descriptions.Item label={t('send:confirm.review')} span={2}>
            <ToneTag tone="warning">{t('send:confirm.reviewYes')}</ToneTag>
          </Descriptions.Item>
        ) : null}
        {e.notBefore ? (
          <Descriptions.Item label={t('send:confirm.notBefore')} span={2}>
            {formatDateTime(e.notBefore)}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('send:confirm.text')} span={2}>
          <div
            data-testid="estimate-text"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
          >
            {e.text ?? '—'}
          </div>
        </Descriptions.Item>
      </Descriptions>

      {refused.length > 0 ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('send:confirm.refusedTitle', { n: formatNumber(refused.length) })}
          </Typography.Title>
          <Table
            size="small"
            rowKey={(x, i) => `${x.input}-${i}`}
            dataSource={refused}
            pagination={refused.length > 10 ? { pageSize: 10 } : false}
            columns={[
              { title: t('send:result.number'), dataIndex: 'input' },
              {
                title: t('send:result.reason'),
                render: (_, x) => (
                  <>
                    <ToneTag>{x.code}</ToneTag> {x.detail}
                  </>
                ),
              },
            ]}
          />
        </>
      ) : null}

      <Space style={{ marginTop: 16 }}>
        <Button onClick={onBack}>{t('send:action.back')}</Button>
        <Button type="primary" onClick={onSend} loading={busy} disabled={blocking}>
          {t('send:action.send', { n: formatNumber(r.valid) })}
        </Button>
      </Space>
    </Card>
  );
}
