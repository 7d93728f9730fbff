// Log in: email and password, then the authenticator code when the account has 2FA. Lock-outs and
// throttling come back from the server as problems and are shown as it words them.
import { useState } from 'react';
import { Button, Card, Form, Input, Typography, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { homeOf } from '../../routes.tsx';

interface Fields {
  email: string;
  password: string;
  totp?: string;
}

export default function Login() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: Fields) {
    setBusy(true);
    setError(null);
    try {
      const me = await session.logIn({
        email: v.email,
        password: v.password,
        ...(v.totp ? { totp: v.totp } : {}),
      });
      navigate(
        me.user.mustChangePassword ? '/password' : homeOf(me.tenant ? 'tenant' : 'operator'),
        {
          replace: true,
        },
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setNeedTotp(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}
    >
      <main>
        <Card style={{ width: 400 }}>
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('common:brand')}
            </Typography.Title>
            <LanguageSwitch />
          </Space>
          <Typography.Paragraph type="secondary">{t('auth:subtitle')}</Typography.Paragraph>
          <ProblemAlert error={error} />
          <Form<Fields> layout="vertical" onFinish={submit} requiredMark={false} name="login">
            <Form.Item
              label={t('auth:email')}
              name="email"
              rules={[
                {
                  required: true,
                  type: 'email',
                  message: t('auth:required', { field: t('auth:email') }),
                },
              ]}
            >
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              label={t('auth:password')}
              name="password"
              rules={[
                { required: true, message: t('auth:required', { field: t('auth:password') }) },
              ]}
            >
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            {needTotp ? (
              <Form.Item
                label={t('auth:totp')}
                name="totp"
                extra={t('auth:totpHint')}
                rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth:totpHint') }]}
              >
                <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
              </Form.Item>
            ) : null}
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('auth:submit')}
            </Button>
          </Form>
          <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
            <a href="/docs">{t('auth:apiDocs')}</a>
          </Typography.Paragraph>
        </Card>
      </main>
    </div>
  );
}
