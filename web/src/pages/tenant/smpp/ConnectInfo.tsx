// Where SMPP and CMPP clients connect: this console's host name and the ports of GET
// /v1/connect-info (the servers on the node that answered; null when one is not running).
import { Alert, Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { useApi } from '../../../lib/useApi.ts';

interface Listener {
  port: number;
  tls: boolean;
}
interface ConnectInfoBody {
  smpp: Listener | null;
  cmpp: Listener | null;
}

export function ConnectInfo() {
  const { t } = useTranslation();
  const info = useApi(
    (signal) => api.get<ConnectInfoBody>('/v1/connect-info', undefined, signal),
    [],
  );
  const host = window.location.hostname;
  if (info.error) return <ProblemAlert error={info.error} onRetry={info.reload} />;
  const port = (l: Listener | null | undefined, testId: string) =>
    l ? (
      <Typography.Text copyable={{ text: `${host}:${l.port}` }} data-testid={testId}>
        {`${host}:${l.port}`}
        {l.tls ? ` (${t('developer:smpp.connectTls')})` : ''}
      </Typography.Text>
    ) : info.loading ? (
      '…'
    ) : (
      <Typography.Text type="secondary">{t('developer:smpp.connectOff')}</Typography.Text>
    );
  return (
    <Alert
      type="info"
      showIcon
      style={{ marginBottom: 16 }}
      title={t('developer:smpp.connectTitle')}
      description={
        <>
          <Descriptions size="small" column={{ xs: 1, md: 2 }} aria-busy={info.loading}>
            <Descriptions.Item label={t('developer:smpp.connectSmpp')}>
              {port(info.data?.smpp, 'connect-smpp')}
            </Descriptions.Item>
            <Descriptions.Item label={t('developer:smpp.connectCmpp')}>
              {port(info.data?.cmpp, 'connect-cmpp')}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Text type="secondary">{t('developer:smpp.connect')}</Typography.Text>
        </>
      }
    />
  );
}
