// Account and security (账号与安全), as tabs: the company profile and notice language, my password,
// two-factor enrolment, my sessions, and the termination request. The tab is in the URL (?tab=).
import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useApi } from '../../lib/useApi.ts';
import { PasswordForm } from './account/PasswordForm.tsx';
import { Profile } from './account/Profile.tsx';
import { Sessions } from './account/Sessions.tsx';
import { Termination } from './account/Termination.tsx';
import { TwoFactor } from './account/TwoFactor.tsx';
import type { AccountDetails } from './account/types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

const TABS = ['profile', 'password', 'security', 'sessions', 'termination'] as const;

export default function Account() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'profile';
  // Every tenant role may read the account (account.read); only the owner may change it.
  const account = useApi((signal) => api.get<AccountDetails>('/v1/account', undefined, signal), []);

  return (
    <>
      <PageTitle title={t('account:title')} />
      <Card>
        <Tabs
          activeKey={tab}
          destroyOnHidden
          onChange={(k) => setParams(k === 'profile' ? {} : { tab: k }, { replace: true })}
          items={[
            {
              key: 'profile',
              label: t('account:tabs.profile'),
              children: <Profile account={account} />,
            },
            { key: 'password', label: t('account:tabs.password'), children: <PasswordForm /> },
            { key: 'security', label: t('account:tabs.twoFactor'), children: <TwoFactor /> },
            { key: 'sessions', label: t('account:tabs.sessions'), children: <Sessions /> },
            {
              key: 'termination',
              label: t('account:tabs.termination'),
              children: <Termination account={account} />,
            },
          ]}
        />
      </Card>
    </>
  );
}
