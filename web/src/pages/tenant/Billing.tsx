// Billing (费用中心): overview, ledger, statements, prices, contract and recharge requests as tabs;
// the tab is in the address (?tab=) so a link or a reload keeps it.
import type { ReactNode } from 'react';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ContractTab } from './billing/Contract.tsx';
import { Ledger } from './billing/Ledger.tsx';
import { Overview } from './billing/Overview.tsx';
import { PriceList } from './billing/Prices.tsx';
import { RechargeRequests } from './billing/RechargeRequests.tsx';
import { Statements } from './billing/Statements.tsx';

const TABS = ['overview', 'ledger', 'statements', 'prices', 'contract', 'recharge'] as const;
type Tab = (typeof TABS)[number];

export default function Billing() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: Tab = TABS.includes(asked as Tab) ? (asked as Tab) : 'overview';
  const go = (k: string) => setParams(k === 'overview' ? {} : { tab: k }, { replace: true });

  const content: Record<Tab, ReactNode> = {
    overview: <Overview onRecharge={() => go('recharge')} />,
    ledger: <Ledger />,
    statements: <Statements />,
    prices: <PriceList />,
    contract: <ContractTab />,
    recharge: <RechargeRequests />,
  };

  return (
    <>
      <PageTitle title={t('billing:title')} />
      <Tabs
        activeKey={tab}
        onChange={go}
        destroyOnHidden
        items={TABS.map((k) => ({ key: k, label: t(`billing:tabs.${k}`), children: content[k] }))}
      />
    </>
  );
}
