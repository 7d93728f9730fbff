// A server-paginated table over a cursor list (lib/useCursorList.ts): loading, error and empty
// states included (the readable "no data" is App.tsx's, components/EmptyText.tsx), "previous /
// next" below it.
import { Button, Space, Table, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CursorList } from '../lib/useCursorList.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

export function CursorTable<T extends object>({
  list,
  ...props
}: { list: CursorList<T> } & Omit<TableProps<T>, 'dataSource' | 'pagination' | 'loading'>) {
  const { t } = useTranslation();
  return (
    <>
      <ProblemAlert error={list.error} onRetry={list.reload} />
      <Table<T>
        size="middle"
        {...props}
        dataSource={list.rows}
        loading={list.loading}
        pagination={false}
      />
      <Space style={{ marginTop: 12, display: 'flex', justifyContent: 'flex-end' }}>
        <span aria-live="polite">{t('common:table.page', { page: list.page })}</span>
        <Button onClick={list.first} disabled={!list.hasPrev}>
          {t('common:action.first')}
        </Button>
        <Button onClick={list.prev} disabled={!list.hasPrev} aria-label={t('common:action.prev')}>
          ‹
        </Button>
        <Button onClick={list.next} disabled={!list.hasNext}>
          {t('common:action.next')}
        </Button>
      </Space>
    </>
  );
}
