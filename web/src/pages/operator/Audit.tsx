// The whole audit log (审计日志), newest first: who did what to which tenant, from where —
// filtered by tenant and action on the server, paged by `before`.
import { useState } from 'react';
import { Card, Input, Space, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { CursorTable } from '../../components/CursorTable.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { TenantLink, TenantPicker } from './tenants/TenantPicker.tsx';
import { useBeforeList } from '../../lib/useCursorList.ts';
import type { AuditRow } from './tenants/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

export default function Audit() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tenantId = params.get('tenantId') ?? undefined;
  const action = params.get('action') ?? undefined;
  const [actionText, setActionText] = useState(action ?? '');
  const list = useBeforeList<AuditRow>('/v1/admin/audit', { tenantId, action });

  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageTitle title={t('opAudit:title')} />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <TenantPicker
            aria-label={t('opAudit:filter.tenant')}
            value={tenantId}
            onChange={(v) => set('tenantId', typeof v === 'string' ? v : undefined)}
          />
          <Input.Search
            allowClear
            aria-label={t('opAudit:filter.action')}
            placeholder={t('opAudit:filter.actionPlaceholder')}
            value={actionText}
            onChange={(e) => setActionText(e.target.value)}
            onSearch={(v) => set('action', v.trim() || undefined)}
            enterButton={t('common:action.search')}
            style={{ width: 320 }}
          />
        </Space>
        <CursorTable<AuditRow>
          list={list}
          rowKey="id"
          expandable={{
            rowExpandable: (r) => Boolean(r.details && Object.keys(r.details).length > 0),
            expandedRowRender: (r) => (
              <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {JSON.stringify(r.details, null, 2)}
              </pre>
            ),
          }}
          columns={[
            {
              title: t('opAudit:col.time'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('opAudit:col.tenant'),
              dataIndex: 'tenantId',
              render: (id: string | null) =>
                id ? <TenantLink id={id} /> : <ToneTag>{t('opAudit:platform')}</ToneTag>,
            },
            {
              title: t('opAudit:col.actor'),
              key: 'actor',
              render: (_: unknown, r) => (
                <>
                  {t(`opAudit:actor.${r.actorType}`, { defaultValue: r.actorType })}
                  {r.actorId ? (
                    <div>
                      <Typography.Text type="secondary">{r.actorId}</Typography.Text>
                    </div>
                  ) : null}
                </>
              ),
            },
            {
              title: t('opAudit:col.action'),
              dataIndex: 'action',
              render: (a: string) => <Typography.Text code>{a}</Typography.Text>,
            },
            {
              title: t('opAudit:col.target'),
              key: 'target',
              render: (_: unknown, r) =>
                r.targetType ? `${r.targetType}${r.targetId ? ` · ${r.targetId}` : ''}` : '—',
            },
            { title: t('opAudit:col.ip'), dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
          ]}
        />
      </Card>
    </>
  );
}
