// Readable "no data": Ant Design's default empty-table text is the disabled grey (1.6:1 on white,
// under WCAG AA's 4.5:1); this one uses the description colour the frame's theme darkens. Wraps a
// page, its modals and drawers included. (Status colours are the frame's theme, web/src/App.tsx.)
import type { ReactNode } from 'react';
import { ConfigProvider, Empty } from 'antd';
import { useTranslation } from 'react-i18next';

export function AccessibleTheme({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <ConfigProvider
      renderEmpty={() => (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common:state.empty')} />
      )}
    >
      {children}
    </ConfigProvider>
  );
}
