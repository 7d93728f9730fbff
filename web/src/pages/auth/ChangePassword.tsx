// The forced password change after a first login or a reset (the server refuses everything else
// with password_change_required until it is done).
import { useState } from 'react';
import { Button, Card, Form, Input, Typography, message } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { homeOf } from '../../routes.tsx';

interface Fields {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

export default function ChangePassword() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: Fields) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/v1/auth/password', {
        currentPassword: v.currentPassword,
        newPassword: v.newPassword,
      });
      void message.success(t('auth:changed'));
      const me = await session.reload();
      navigate(me ? homeOf(me.tenant ? 'tenant' : 'operator') : '/login', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}
    >
      <main>
        <Card style={{ width: 420 }}>
          <Typography.Title level={3}>{t('auth:changeTitle')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('auth:changeHint')}</Typography.Paragraph>
          <ProblemAlert error={error} />
          <Form<Fields>
            layout="vertical"
            onFinish={submit}
            requiredMark={false}
            name="change-password"
          >
            <Form.Item
              label={t('auth:currentPassword')}
              name="currentPassword"
              rules={[
                {
                  required: true,
                  message: t('auth:required', { field: t('auth:currentPassword') }),
                },
              ]}
            >
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Form.Item
              label={t('auth:newPassword')}
              name="newPassword"
              rules={[
                { required: true, message: t('auth:required', { field: t('auth:newPassword') }) },
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              label={t('auth:repeatPassword')}
              name="repeat"
              dependencies={['newPassword']}
              rules={[
                {
                  required: true,
                  message: t('auth:required', { field: t('auth:repeatPassword') }),
                },
                ({ getFieldValue }) => ({
                  validator: (_, v) =>
                    !v || v === getFieldValue('newPassword')
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('auth:mismatch'))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('common:action.save')}
            </Button>
          </Form>
        </Card>
      </main>
    </div>
  );
}
