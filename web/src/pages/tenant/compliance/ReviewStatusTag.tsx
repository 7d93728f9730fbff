// The review state of a signature or template as a coloured tag (审核中 / 审核通过 / 审核未通过).
import { useTranslation } from 'react-i18next';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

const COLOR: Record<ReviewStatus, Tone> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
};

export function ReviewStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = status in COLOR;
  return (
    <ToneTag tone={known ? COLOR[status as ReviewStatus] : 'default'} data-status={status}>
      {known ? t(`compliance:status.${status}`) : status}
    </ToneTag>
  );
}
