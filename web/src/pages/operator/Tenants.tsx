// Tenants: searched by name, id or email and filtered by status on the server, newest first, with
// their balances; a name opens the tenant's page.
import { useState } from 'react';
import { Card, Input, Select, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { CursorTable } from '../../components/CursorTable.tsx';
import { useCursorList } from '../../lib/useCursorList.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { TenantStatusTag } from './tenants/TenantStatusTag.tsx';
import { TENANT_STATUSES, type TenantRow } from './tenants/types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

export default function Tenants() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>(undefined);
  const list = useCursorList<TenantRow>('/v1/admin/tenants', { q, status });

  return (
    <>
      <PageTitle title={t('opTenants:list.title')} />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            aria-label={t('opTenants:list.search')}
            placeholder={t('opTenants:list.searchPlaceholder')}
            enterButton={t('common:action.search')}
            onSearch={(v) => setQ(v.trim())}
            style={{ width: 360 }}
            data-testid="tenant-search"
          />
          <Select
            allowClear
            aria-label={t('opTenants:list.statusFilter')}
            placeholder={t('opTenants:list.allStatuses')}
            value={status}
            onChange={(v) => setStatus(v)}
            options={TENANT_STATUSES.map((s) => ({ value: s, label: t(`opTenants:status.${s}`) }))}
            style={{ width: 160 }}
          />
        </Space>
        <CursorTable<TenantRow>
          list={list}
          rowKey="id"
          columns={[
            {
              title: t('opTenants:field.name'),
              dataIndex: 'name',
              render: (name: string, r) => <Link to={`/admin/tenants/${r.id}`}>{name}</Link>,
            },
            {
              title: t('opTenants:field.id'),
              dataIndex: 'id',
              render: (id: string) => <Typography.Text code>{id}</Typography.Text>,
            },
            {
              title: t('opTenants:field.status'),
              dataIndex: 'status',
              render: (s: string) => <TenantStatusTag status={s} />,
            },
            {
              title: t('opTenants:field.available'),
              dataIndex: 'available',
              align: 'right',
              render: (_: unknown, r) => formatMoney(r.available),
            },
            {
              title: t('opTenants:field.held'),
              dataIndex: 'held',
              align: 'right',
              render: (_: unknown, r) => formatMoney(r.held),
            },
            {
              title: t('opTenants:field.contact'),
              dataIndex: 'contactEmail',
              render: (_: unknown, r) => r.contactEmail ?? r.contactName ?? '—',
            },
            {
              title: t('opTenants:field.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
          ]}
        />
      </Card>
    </>
  );
}
