// Change my password (POST /v1/auth/password); the server ends my other sessions.
import { useState } from 'react';
import { App, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { markProblemField } from '../../../lib/form-problem.ts';

interface Values {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

export function PasswordForm() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const required = (field: string) => ({
    required: true,
    message: t('account:password.required', { field }),
  });

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/v1/auth/password', {
        currentPassword: v.currentPassword,
        newPassword: v.newPassword,
      });
      form.resetFields();
      void message.success(t('account:password.changed'));
    } catch (err) {
      setError(err);
      // The strength check names `password`: it is the new one.
      markProblemField(form, err, {
        currentPassword: 'currentPassword',
        newPassword: 'newPassword',
        password: 'newPassword',
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ maxWidth: 480 }}>
      <Typography.Paragraph type="secondary">{t('account:password.intro')}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<Values> form={form} name="password" layout="vertical" onFinish={submit}>
        <Form.Item
          label={t('account:password.current')}
          name="currentPassword"
          rules={[required(t('account:password.current'))]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          label={t('account:password.next')}
          name="newPassword"
          extra={t('account:password.nextHelp')}
          rules={[required(t('account:password.next'))]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label={t('account:password.repeat')}
          name="repeat"
          dependencies={['newPassword']}
          rules={[
            required(t('account:password.repeat')),
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('account:password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('account:password.submit')}
        </Button>
      </Form>
    </div>
  );
}
