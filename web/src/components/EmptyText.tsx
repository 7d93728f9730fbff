// "Nothing here" for tables, lists and selects, readable: Ant Design's own empty text takes the
// disabled grey (1.6:1 on white, under WCAG AA's 4.5:1); Empty's description takes the theme's
// description colour, which App.tsx darkens. App.tsx makes it every component's empty state; pass
// a text to say more than "no data" (a table's `locale={{ emptyText: <EmptyText>…</EmptyText> }}`).
import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';

export function EmptyText({ children }: { children?: string }) {
  const { t } = useTranslation();
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={children ?? t('common:state.empty')} />
  );
}
