// The account's audit log (操作日志, GET /v1/audit), newest first, paginated on the server with
// `before`/`nextBefore`, filtered by action (the filter the API has). Actors are shown by name
// when they are users of the account.
import { useMemo, useState } from 'react';
import { Button, Card, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { CursorTable } from '../../components/CursorTable.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useBeforeList } from '../../lib/useCursorList.ts';
import type { AuditRow, TenantUser } from './account/types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import account from '../../i18n/catalogs/account.ts';
import { ToneTag } from '../../components/ToneTag.tsx';

const PAGE_SIZE = 20;
/** Catalog keys cannot hold dots: `login.failed` is `login__failed` there. */
const actionKey = (a: string) => a.replace(/\./g, '__');
const KNOWN_ACTIONS = Object.keys(account['zh-CN'].audit.actions).map((k) => k.replace(/__/g, '.'));

function detailsText(d: Record<string, unknown> | undefined): string {
  if (!d) return '';
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export default function Audit() {
  const { t } = useTranslation();
  const session = useSession();
  const [action, setAction] = useState<string | undefined>(undefined);
  const list = useBeforeList<AuditRow>('/v1/audit', { action }, PAGE_SIZE);
  // Names for user ids (the owner, who reads the audit log, may list users).
  const canListUsers = session.can('users.manage');
  const users = useApi(
    (signal) =>
      canListUsers
        ? api.get<{ data: TenantUser[] }>('/v1/users', undefined, signal)
        : Promise.resolve({ data: [] as TenantUser[] }),
    [canListUsers],
  );
  const names = useMemo(
    () => new Map((users.data?.data ?? []).map((u) => [u.id, `${u.name} (${u.email})`])),
    [users.data],
  );

  return (
    <>
      <PageTitle title={t('account:audit.title')} intro={t('account:audit.intro')} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor="audit-action">{t('account:audit.action')}</label>
          <Select
            id="audit-action"
            style={{ width: 240 }}
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            value={action}
            placeholder={t('account:audit.allActions')}
            onChange={(v?: string) => setAction(v)}
            options={KNOWN_ACTIONS.map((a) => ({
              value: a,
              label: t(`account:audit.actions.${actionKey(a)}`),
            }))}
          />
          <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
        </Space>
        <CursorTable<AuditRow>
          list={list}
          rowKey="id"
          scroll={{ x: 1000 }}
          columns={[
            {
              title: t('account:audit.time'),
              dataIndex: 'createdAt',
              width: 180,
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('account:audit.actor'),
              key: 'actor',
              render: (_, r) => (
                <Space orientation="vertical" size={0}>
                  <span>
                    {t(`account:audit.actorType.${r.actorType}`, { defaultValue: r.actorType })}
                  </span>
                  {r.actorId ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {names.get(r.actorId) ?? r.actorId}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
            {
              title: t('account:audit.action'),
              dataIndex: 'action',
              render: (a: string) => (
                <Space orientation="vertical" size={0}>
                  <ToneTag
                    tone={
                      /failed|locked|throttled|revoked|disabled|termination_requested/.test(a)
                        ? 'warning'
                        : 'processing'
                    }
                  >
                    {t(`account:audit.actions.${actionKey(a)}`, { defaultValue: a })}
                  </ToneTag>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {a}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('account:audit.target'),
              key: 'target',
              render: (_, r) =>
                r.targetId ? (
                  <Typography.Text code>
                    {r.targetType === 'user' ? (names.get(r.targetId) ?? r.targetId) : r.targetId}
                  </Typography.Text>
                ) : (
                  '—'
                ),
            },
            {
              title: t('account:audit.ip'),
              dataIndex: 'ip',
              render: (v: string | null) => v ?? '—',
            },
            {
              title: t('account:audit.details'),
              dataIndex: 'details',
              render: (d: Record<string, unknown> | undefined) => (
                <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                  {detailsText(d) || '—'}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
