// One tenant, for the operator: its status and lifecycle actions, limits and language (overview),
// money (recharge, refund, price plan, statements), contracts, compliance policy, messages and
// extension code — one tab each, the tab kept in the address (?tab=billing).
import { useCallback } from 'react';
import { Breadcrumb, Card, Space, Statistic, Tabs, Typography } from 'antd';
import { Link, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, type Page } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { PageState } from '../../components/PageState.tsx';
import { useApi } from '../../lib/useApi.ts';
import { formatMoney } from '../../lib/format.ts';
import { TenantStatusTag } from './tenants/TenantStatusTag.tsx';
import { OverviewTab } from './tenants/OverviewTab.tsx';
import { BillingTab } from './tenants/BillingTab.tsx';
import { ContractTab } from './tenants/ContractTab.tsx';
import { ComplianceTab } from './tenants/ComplianceTab.tsx';
import { MessagesTab } from './tenants/MessagesTab.tsx';
import { ExtensionTab } from './tenants/ExtensionTab.tsx';
import type { TenantDetail as Detail, TenantRow } from './tenants/types.ts';

export default function TenantDetail() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const detail = useApi(
    (signal) => api.get<Detail>(`/v1/admin/tenants/${id}`, undefined, signal),
    [id],
  );
  // The balance comes with the tenant list (an exact id search finds this one tenant).
  const balance = useApi(
    (signal) =>
      api
        .get<Page<TenantRow>>('/v1/admin/tenants', { q: id, limit: 1 }, signal)
        .then((p) => p.data.find((r) => r.id === id) ?? null),
    [id],
  );
  const reloadAll = useCallback(() => {
    detail.reload();
    balance.reload();
  }, [detail, balance]);

  const d = detail.data;
  const tab = params.get('tab') ?? 'overview';
  const items = d
    ? [
        {
          key: 'overview',
          label: t('opTenants:tab.overview'),
          children: <OverviewTab tenant={d} onChanged={reloadAll} />,
        },
        ...(session.can('admin.billing')
          ? [
              {
                key: 'billing',
                label: t('opTenants:tab.billing'),
                children: (
                  <BillingTab tenant={d} balance={balance.data ?? null} onChanged={reloadAll} />
                ),
              },
              {
                key: 'contract',
                label: t('opTenants:tab.contract'),
                children: <ContractTab tenant={d} onChanged={balance.reload} />,
              },
            ]
          : []),
        ...(session.can('admin.compliance')
          ? [
              {
                key: 'compliance',
                label: t('opTenants:tab.compliance'),
                children: <ComplianceTab tenant={d} />,
              },
            ]
          : []),
        ...(session.can('admin.messages.read')
          ? [
              {
                key: 'messages',
                label: t('opTenants:tab.messages'),
                children: <MessagesTab tenant={d} />,
              },
            ]
          : []),
        {
          key: 'extension',
          label: t('opTenants:tab.extension'),
          children: <ExtensionTab tenant={d} />,
        },
      ]
    : [];

  return (
    <>
      <Breadcrumb
        style={{ marginBottom: 8 }}
        items={[
          { title: <Link to="/admin/tenants">{t('common:nav.opTenants')}</Link> },
          { title: d?.name ?? id },
        ]}
      />
      <PageState loading={detail.loading && !d} error={detail.error} onRetry={detail.reload}>
        {d ? (
          <>
            <Card style={{ marginBottom: 16 }}>
              <Space wrap size="large" style={{ width: '100%', justifyContent: 'space-between' }}>
                <div>
                  <Typography.Title level={3} style={{ marginTop: 0 }}>
                    {d.name} <TenantStatusTag status={d.status} />
                  </Typography.Title>
                  <Typography.Text type="secondary" copyable={{ text: d.id }}>
                    {d.id}
                  </Typography.Text>
                </div>
                <Space size="large" data-testid="tenant-balance">
                  <Statistic
                    title={t('opTenants:field.available')}
                    value={balance.data ? formatMoney(balance.data.available) : '—'}
                  />
                  <Statistic
                    title={t('opTenants:field.held')}
                    value={balance.data ? formatMoney(balance.data.held) : '—'}
                  />
                </Space>
              </Space>
            </Card>
            <Card>
              <Tabs
                activeKey={items.some((i) => i.key === tab) ? tab : 'overview'}
                onChange={(k) => setParams({ tab: k }, { replace: true })}
                items={items}
                destroyOnHidden
              />
            </Card>
          </>
        ) : null}
      </PageState>
    </>
  );
}
