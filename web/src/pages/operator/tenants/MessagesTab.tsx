// The tenant's messages as the operator may see them: numbers masked; the texts only for roles
// allowed to read them and only when asked (each read is audited).
import { useState } from 'react';
import { Space, Switch, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../../api/session.tsx';
import { CursorTable } from '../../../components/CursorTable.tsx';
import { useCursorList } from '../../../lib/useCursorList.ts';
import { formatDateTime, formatNumber } from '../../../lib/format.ts';
import { StatusTag } from '../../tenant/messaging/status.tsx';
import type { TenantDetail } from './types.ts';

interface Row {
  id: string;
  to: string;
  status: string;
  parts: number;
  createdAt: string;
  doneAt: string | null;
  text?: string | null;
}

export function MessagesTab({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  const session = useSession();
  const [bodies, setBodies] = useState(false);
  const list = useCursorList<Row>(`/v1/admin/tenants/${tenant.id}/messages`, {
    bodies: bodies ? 'true' : undefined,
  });
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        {session.can('admin.messages.bodies') ? (
          <>
            <Switch
              checked={bodies}
              onChange={setBodies}
              aria-label={t('opTenants:messages.showBodies')}
            />
            <span>{t('opTenants:messages.showBodies')}</span>
          </>
        ) : null}
        <Typography.Text type="secondary">{t('opTenants:messages.audited')}</Typography.Text>
      </Space>
      <CursorTable<Row>
        list={list}
        rowKey="id"
        columns={[
          {
            title: t('opTenants:messages.id'),
            dataIndex: 'id',
            render: (id: string) => <Typography.Text code>{id}</Typography.Text>,
          },
          { title: t('opTenants:messages.to'), dataIndex: 'to' },
          {
            title: t('opTenants:messages.status'),
            dataIndex: 'status',
            render: (s: string) => <StatusTag status={s} />,
          },
          {
            title: t('opTenants:messages.parts'),
            dataIndex: 'parts',
            align: 'right',
            render: (n: number) => formatNumber(n),
          },
          ...(bodies
            ? [
                {
                  title: t('opTenants:messages.text'),
                  dataIndex: 'text',
                  render: (v: string | null) => v ?? '—',
                },
              ]
            : []),
          {
            title: t('opTenants:messages.createdAt'),
            dataIndex: 'createdAt',
            render: (v: string) => formatDateTime(v),
          },
          {
            title: t('opTenants:messages.doneAt'),
            dataIndex: 'doneAt',
            render: (v: string | null) => formatDateTime(v),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        <Link to={`/admin/audit?tenantId=${tenant.id}`}>{t('opTenants:messages.auditLink')}</Link>
      </Typography.Paragraph>
    </>
  );
}
