// Opt-outs and consents (退订与授权): the numbers that asked for no more marketing messages and the
// consents on record, as two tabs, each with add, CSV import and CSV export.
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useSession } from '../../api/session.tsx';
import { NumberListTab, type NumberListKind } from './compliance/NumberListTab.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

export default function OptOuts() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const tab: NumberListKind = params.get('tab') === 'consents' ? 'consents' : 'optOuts';
  const canManage = session.can('compliance.manage');
  return (
    <>
      <PageTitle title={t('compliance:optOuts.title')} intro={t('compliance:optOuts.intro')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'consents' ? { tab: k } : {}, { replace: true })}
        destroyOnHidden
        items={[
          {
            key: 'optOuts',
            label: t('compliance:optOuts.tabOptOuts'),
            children: <NumberListTab kind="optOuts" canManage={canManage} />,
          },
          {
            key: 'consents',
            label: t('compliance:optOuts.tabConsents'),
            children: <NumberListTab kind="consents" canManage={canManage} />,
          },
        ]}
      />
    </>
  );
}
