// Two-factor enrolment: POST /v1/auth/totp/setup gives a secret and its otpauth:// URI, drawn here
// as a QR code (with the secret as text for typing it in); POST /v1/auth/totp/enable with a first
// code turns it on. Once on, DELETE /v1/auth/totp with the password and a current code turns it
// off (and ends the other sessions), after a confirmation window.
import { useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Result, Space, Steps, Typography } from 'antd';
import QRCode from 'qrcode';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { markProblemField } from '../../../lib/form-problem.ts';

interface Setup {
  secret: string;
  uri: string;
}

/** "ABCD EFGH …": easier to read off the screen and type into an app. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function TwoFactor() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ code: string }>();

  useEffect(() => {
    if (!setup) return;
    let live = true;
    QRCode.toDataURL(setup.uri, { errorCorrectionLevel: 'M', margin: 2, width: 200 })
      .then((url) => {
        if (live) setQr(url);
      })
      .catch((err: unknown) => {
        if (live) setError(err);
      });
    return () => {
      live = false;
    };
  }, [setup]);

  if (session.me?.user.totpEnabled) return <TwoFactorOn />;

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setSetup(await api.post<Setup>('/v1/auth/totp/setup'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function enable(v: { code: string }) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/v1/auth/totp/enable', { code: v.code.replace(/\s/g, '') });
      void message.success(t('account:totp.enabled'));
      await session.reload();
    } catch (err) {
      setError(err);
      markProblemField(form, err, { code: 'code' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ maxWidth: 640 }}>
      <Typography.Paragraph>{t('account:totp.intro')}</Typography.Paragraph>
      <ProblemAlert error={error} />
      {setup ? (
        <Steps
          orientation="vertical"
          current={1}
          items={[
            {
              title: t('account:totp.step1'),
              status: 'process',
              description: (
                <Space orientation="vertical" style={{ marginTop: 8 }}>
                  {qr ? (
                    <img
                      src={qr}
                      width={200}
                      height={200}
                      alt={t('account:totp.qrAlt')}
                      data-testid="totp-qr"
                    />
                  ) : null}
                  <Typography.Text type="secondary">{t('account:totp.step1Hint')}</Typography.Text>
                  <Space>
                    <Typography.Text>{t('account:totp.secret')}</Typography.Text>
                    <Typography.Text
                      code
                      copyable={{ text: setup.secret }}
                      data-testid="totp-secret"
                      data-secret={setup.secret}
                    >
                      {grouped(setup.secret)}
                    </Typography.Text>
                  </Space>
                </Space>
              ),
            },
            {
              title: t('account:totp.step2'),
              status: 'process',
              description: (
                <Form
                  form={form}
                  name="totp"
                  layout="inline"
                  onFinish={enable}
                  style={{ marginTop: 8 }}
                >
                  <Form.Item
                    label={t('account:totp.code')}
                    name="code"
                    rules={[
                      {
                        required: true,
                        pattern: /^\s*\d{3}\s?\d{3}\s*$/,
                        message: t('account:totp.codeInvalid'),
                      },
                    ]}
                  >
                    <Input
                      inputMode="numeric"
                      autoComplete="one-time-code"
                      maxLength={7}
                      style={{ width: 140 }}
                    />
                  </Form.Item>
                  <Form.Item>
                    <Button type="primary" htmlType="submit" loading={busy}>
                      {t('account:totp.confirm')}
                    </Button>
                  </Form.Item>
                </Form>
              ),
            },
          ]}
        />
      ) : (
        <Button type="primary" onClick={start} loading={busy}>
          {t('account:totp.start')}
        </Button>
      )}
    </div>
  );
}

/** Two-factor login is on: say so, and offer to turn it off with the password and a code. */
function TwoFactorOn() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ password: string; totp: string }>();

  function close() {
    setOpen(false);
    setError(null);
    form.resetFields();
  }

  async function turnOff(v: { password: string; totp: string }) {
    setBusy(true);
    setError(null);
    try {
      await api.delete('/v1/auth/totp', {
        password: v.password,
        totp: v.totp.replace(/\s/g, ''),
      });
      void message.success(t('account:totp.disabled'));
      close();
      await session.reload();
    } catch (err) {
      setError(err);
      markProblemField(form, err, ['password', 'totp']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Result
        status="success"
        title={t('account:totp.enabledTitle')}
        subTitle={t('account:totp.enabledHint')}
        extra={
          <Button danger onClick={() => setOpen(true)}>
            {t('account:totp.disable')}
          </Button>
        }
      />
      <Modal
        open={open}
        title={t('account:totp.disableTitle')}
        okText={t('account:totp.disableConfirm')}
        okButtonProps={{ danger: true, loading: busy }}
        cancelText={t('common:action.cancel')}
        onOk={() => form.submit()}
        onCancel={close}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('account:totp.disableHint')}</Typography.Paragraph>
        <ProblemAlert error={error} />
        <Form form={form} name="totp-off" layout="vertical" onFinish={turnOff}>
          <Form.Item
            label={t('account:totp.password')}
            name="password"
            rules={[{ required: true, message: t('account:totp.passwordRequired') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            label={t('account:totp.code')}
            name="totp"
            rules={[
              {
                required: true,
                pattern: /^\s*\d{3}\s?\d{3}\s*$/,
                message: t('account:totp.codeInvalid'),
              },
            ]}
          >
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              style={{ width: 140 }}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
