// The live part counter under the send form: encoding, parts, characters and what is left in this
// part, for the text as the recipient will get it (compose.ts), split by the server's own code.
import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../lib/format.ts';
import { SEGMENT_LIMITS } from '@core/message/parts.ts';
import { countText } from './compose.ts';
import { encodingLabel } from './status.tsx';
import { ToneTag } from '../../../components/ToneTag.tsx';

export function PartCounter({
  text,
  title,
  testPrefix = '',
}: {
  text: string;
  /** Which recipients this count is for, when the text differs by destination. */
  title?: string;
  testPrefix?: string;
}) {
  const { t } = useTranslation();
  const c = countText(text);
  const chars = [...text].length;
  return (
    <div data-testid={`${testPrefix}part-counter`} aria-live="polite" style={{ marginTop: 8 }}>
      {title ? <Typography.Text strong>{title}</Typography.Text> : null}
      <Space wrap size={[12, 4]}>
        <span>
          {t('send:counter.encoding')}{' '}
          <ToneTag
            tone={c.encoding === 'gsm7' ? 'processing' : 'gold'}
            data-testid={`${testPrefix}encoding`}
          >
            {encodingLabel(c.encoding)}
          </ToneTag>
        </span>
        <span>
          {t('send:counter.chars')}{' '}
          <strong data-testid={`${testPrefix}chars`}>{formatNumber(chars)}</strong>
        </span>
        <span>
          {t('send:counter.parts')}{' '}
          <strong data-testid={`${testPrefix}parts`}>{formatNumber(c.parts)}</strong>
        </span>
        <span>
          {t('send:counter.remaining')}{' '}
          <strong data-testid={`${testPrefix}remaining`}>{formatNumber(c.remaining)}</strong>
        </span>
        <Typography.Text type="secondary">
          {t('send:counter.rule', {
            single: SEGMENT_LIMITS[c.encoding].single,
            per: SEGMENT_LIMITS[c.encoding].perPart,
          })}
        </Typography.Text>
      </Space>
      {text ? (
        <div style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t('send:counter.preview')}</Typography.Text>
          <div
            data-testid={`${testPrefix}final-text`}
            style={{
              whiteSpace: 'pre-wrap',
              wordBreak: 'break-all',
              background: '#fafafa',
              border: '1px solid #f0f0f0',
              borderRadius: 6,
              padding: '8px 12px',
            }}
          >
            {text}
          </div>
        </div>
      ) : null}
    </div>
  );
}
