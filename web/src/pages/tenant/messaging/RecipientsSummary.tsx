// Under the recipients box: how many numbers, how many will be sent to, and which entries are
// duplicates or not numbers (with why), before anything is sent.
import { Alert, List, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../lib/format.ts';
import type { RecipientCheck } from './recipients.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

const SHOWN = 50;

export function RecipientsSummary({ check }: { check: RecipientCheck | null }) {
  const { t } = useTranslation();
  if (!check || check.entries.length === 0) return null;
  return (
    <div style={{ marginTop: -12, marginBottom: 16 }} aria-live="polite">
      <Space wrap data-testid="recipient-counts">
        <span>
          {t('send:recipients.entries', {
            count: check.entries.length,
            n: formatNumber(check.entries.length),
          })}
        </span>
        <ToneTag tone="success">
          {t('send:recipients.valid')}{' '}
          <span data-testid="count-valid">{formatNumber(check.valid.length)}</span>
        </ToneTag>
        <ToneTag tone={check.duplicates.length ? 'warning' : 'default'}>
          {t('send:recipients.duplicates')}{' '}
          <span data-testid="count-duplicates">{formatNumber(check.duplicates.length)}</span>
        </ToneTag>
        <ToneTag tone={check.invalid.length ? 'error' : 'default'}>
          {t('send:recipients.invalid')}{' '}
          <span data-testid="count-invalid">{formatNumber(check.invalid.length)}</span>
        </ToneTag>
      </Space>
      {check.invalid.length > 0 ? (
        <Alert
          style={{ marginTop: 8 }}
          type="error"
          title={t('send:recipients.invalidTitle')}
          description={
            <List
              size="small"
              data-testid="invalid-numbers"
              dataSource={check.invalid.slice(0, SHOWN)}
              renderItem={(x) => (
                <List.Item>
                  <Typography.Text code>{x.input}</Typography.Text>{' '}
                  {t(`send:recipients.reason.${x.reason}`)}
                </List.Item>
              )}
              footer={
                check.invalid.length > SHOWN
                  ? t('send:recipients.more', { n: formatNumber(check.invalid.length - SHOWN) })
                  : undefined
              }
            />
          }
        />
      ) : null}
      {check.duplicates.length > 0 ? (
        <Alert
          style={{ marginTop: 8 }}
          type="warning"
          title={t('send:recipients.duplicatesTitle')}
          description={
            <List
              size="small"
              data-testid="duplicate-numbers"
              dataSource={check.duplicates.slice(0, SHOWN)}
              renderItem={(x) => (
                <List.Item>
                  <Typography.Text code>{x.input}</Typography.Text>{' '}
                  {t('send:recipients.duplicateOf', { e164: x.e164 })}
                </List.Item>
              )}
              footer={
                check.duplicates.length > SHOWN
                  ? t('send:recipients.more', { n: formatNumber(check.duplicates.length - SHOWN) })
                  : undefined
              }
            />
          }
        />
      ) : null}
    </div>
  );
}
