// A secret the server shows once (an API key, a webhook signing secret, a temporary password):
// in a modal that only closes on "I have saved it", with a copy button and a clear warning.
import type { ReactNode } from 'react';
import { Alert, Button, Modal, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export interface ShownSecret {
  title: string;
  hint?: ReactNode;
  /** Label and value pairs; the values are copyable. */
  items: Array<{ label: string; value: string; testId?: string }>;
}

export function SecretOnce({
  secret,
  onClose,
}: {
  secret: ShownSecret | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={secret !== null}
      title={secret?.title}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-saved">
          {t('common:secret.saved')}
        </Button>
      }
    >
      {secret ? (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Alert
            type="warning"
            showIcon
            title={t('common:secret.warning')}
            description={t('common:secret.warningDetail')}
          />
          {secret.hint ? <Typography.Text>{secret.hint}</Typography.Text> : null}
          {secret.items.map((item) => (
            <div key={item.label}>
              <Typography.Text type="secondary">{item.label}</Typography.Text>
              <Typography.Paragraph
                code
                copyable={{
                  text: item.value,
                  tooltips: [t('common:action.copy'), t('common:action.copied')],
                }}
                style={{ wordBreak: 'break-all', marginBottom: 0, fontSize: 15 }}
                data-testid={item.testId ?? 'secret-value'}
              >
                {item.value}
              </Typography.Paragraph>
            </div>
          ))}
        </Space>
      ) : null}
    </Modal>
  );
}
