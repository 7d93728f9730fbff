// The company account (GET /v1/account), my own login, and the notice language
// (PUT /v1/account/locale, account.manage only).
import { useState } from 'react';
import { App, Button, Card, Descriptions, Form, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import type { Loaded } from '../../../lib/useApi.ts';
import type { AccountDetails } from './types.ts';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

const STATUS_COLOURS: Record<string, Tone> = {
  pending: 'processing',
  active: 'success',
  suspended: 'warning',
  terminated: 'default',
};

export function Profile({ account }: { account: Loaded<AccountDetails> }) {
  const { t } = useTranslation();
  const session = useSession();
  const me = session.me!;
  const a = account.data;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('account:profile.company')} size="small">
        <PageState loading={account.loading && !a} error={account.error} onRetry={account.reload}>
          {a ? (
            <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
              <Descriptions.Item label={t('account:profile.name')}>{a.name}</Descriptions.Item>
              <Descriptions.Item label={t('account:profile.id')}>{a.id}</Descriptions.Item>
              <Descriptions.Item label={t('account:profile.status')}>
                <ToneTag tone={STATUS_COLOURS[a.status] ?? 'default'}>
                  {t(`account:profile.statusName.${a.status}`, { defaultValue: a.status })}
                </ToneTag>
                {a.statusReason ? <span>{a.statusReason}</span> : null}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.creditCode')}>
                {a.creditCode ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.contactName')}>
                {a.contactName ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.contactPhone')}>
                {a.contactPhone ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.contactEmail')}>
                {a.contactEmail ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.currency')}>
                {a.currency}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.chargeMode')}>
                {t(`account:profile.chargeModeName.${a.chargeMode}`, {
                  defaultValue: a.chargeMode,
                })}
              </Descriptions.Item>
              <Descriptions.Item label={t('account:profile.createdAt')}>
                {formatDateTime(a.createdAt)}
              </Descriptions.Item>
            </Descriptions>
          ) : null}
        </PageState>
      </Card>
      {a && session.can('account.manage') ? (
        <NoticeLanguage current={a.locale} onSaved={account.reload} />
      ) : null}
      <Card title={t('account:profile.me')} size="small">
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
          <Descriptions.Item label={t('account:profile.userName')}>
            {me.user.name}
          </Descriptions.Item>
          <Descriptions.Item label={t('account:profile.email')}>{me.user.email}</Descriptions.Item>
          <Descriptions.Item label={t('account:profile.role')}>
            {t(`common:roles.${me.user.role}`, { defaultValue: me.user.role })}
          </Descriptions.Item>
          <Descriptions.Item label={t('account:profile.twoFactor')}>
            {me.user.totpEnabled ? (
              <ToneTag tone="success">{t('account:profile.on')}</ToneTag>
            ) : (
              <ToneTag>{t('account:profile.off')}</ToneTag>
            )}
          </Descriptions.Item>
        </Descriptions>
      </Card>
    </Space>
  );
}

function NoticeLanguage({ current, onSaved }: { current: string; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [locale, setLocale] = useState(current);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    setBusy(true);
    setError(null);
    try {
      await api.put('/v1/account/locale', { locale });
      void message.success(t('account:profile.localeSaved'));
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('account:profile.locale')} size="small">
      <ProblemAlert error={error} />
      <Form layout="inline" name="notice-locale" onFinish={save}>
        <Form.Item
          label={t('account:profile.locale')}
          htmlFor="notice-locale"
          extra={t('account:profile.localeHelp')}
        >
          <Select
            id="notice-locale"
            style={{ width: 160 }}
            value={locale}
            onChange={setLocale}
            options={[
              { value: 'zh-CN', label: t('common:language.zh-CN') },
              { value: 'en', label: t('common:language.en') },
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" type="primary" loading={busy} disabled={locale === current}>
            {t('common:action.save')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
