// The billing overview: balance, held and available amounts (GET /v1/balance), what is left of the
// contract's package and when the contract ends (GET /v1/contracts), and the low-balance alert
// threshold (PUT /v1/account/low-balance-threshold).
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Row,
  Space,
  Statistic,
  Tooltip,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDate, formatMoney, formatNumber } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import { currentContract, type Balance, type Contract } from './types.ts';

export function Overview({ onRecharge }: { onRecharge: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const balance = useApi((signal) => api.get<Balance>('/v1/balance', {}, signal), []);
  const contracts = useApi(
    (signal) => api.get<{ data: Contract[] }>('/v1/contracts', {}, signal),
    [],
  );
  const contract = currentContract(contracts.data?.data ?? []);
  const pkg = contract?.package ?? null;

  return (
    <PageState
      loading={balance.loading && !balance.data}
      error={balance.error}
      onRetry={balance.reload}
    >
      {balance.data ? (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Row gutter={[16, 16]}>
            <Col xs={24} sm={12} lg={6}>
              <Card>
                <Statistic
                  title={t('billing:overview.available')}
                  value={formatMoney(balance.data.available)}
                  data-testid="balance-available"
                />
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card>
                <Statistic
                  title={
                    <Tooltip title={t('billing:overview.heldHelp')}>
                      <span tabIndex={0}>{t('billing:overview.held')}</span>
                    </Tooltip>
                  }
                  value={formatMoney(balance.data.held)}
                  data-testid="balance-held"
                />
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card>
                <Statistic
                  title={t('billing:overview.total')}
                  value={formatMoney(balance.data.total)}
                  data-testid="balance-total"
                />
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card>
                <Statistic
                  title={t('billing:overview.packageLeft')}
                  value={
                    pkg
                      ? t('billing:overview.packageParts', {
                          remaining: formatNumber(pkg.remaining),
                          total: formatNumber(pkg.parts),
                        })
                      : t('billing:overview.noPackage')
                  }
                />
                <Typography.Text type="secondary">
                  {contract
                    ? t('billing:overview.contractEndOn', { date: formatDate(contract.endDate) })
                    : t('billing:overview.noContract')}
                </Typography.Text>
              </Card>
            </Col>
          </Row>
          {session.can('account.manage') ? (
            <Space>
              <Button type="primary" onClick={onRecharge}>
                {t('billing:overview.recharge')}
              </Button>
              <Button onClick={balance.reload}>{t('common:action.refresh')}</Button>
            </Space>
          ) : null}
          {session.can('account.manage') ? (
            <Threshold
              currency={balance.data.available.currency}
              current={balance.data.lowBalanceThreshold?.amount ?? null}
            />
          ) : null}
        </Space>
      ) : null}
    </PageState>
  );
}

/** The alert threshold in force (from GET /v1/balance); saving an empty field turns it off. */
function Threshold({ currency, current }: { currency: string; current: string | null }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ threshold?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(current);

  async function save(value: string | null) {
    setBusy(true);
    setError(null);
    try {
      await api.put('/v1/account/low-balance-threshold', { threshold: value });
      setSaved(value);
      void message.success(
        t(value === null ? 'billing:overview.thresholdOff' : 'billing:overview.thresholdSaved'),
      );
      if (value === null) form.resetFields();
    } catch (err) {
      if (!markProblemField(form, err, ['threshold'])) setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title={t('billing:overview.threshold')}>
      <ProblemAlert error={error} />
      <Form
        form={form}
        layout="inline"
        name="low-balance"
        onFinish={(v) => save(v.threshold?.trim() ? v.threshold.trim() : null)}
        style={{ rowGap: 8 }}
      >
        <Form.Item
          name="threshold"
          label={t('billing:overview.thresholdLabel')}
          rules={[
            {
              pattern: /^\d{1,12}(\.\d{1,4})?$/,
              message: t('billing:overview.thresholdInvalid'),
            },
          ]}
        >
          <Input inputMode="decimal" suffix={currency} style={{ width: 200 }} maxLength={16} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('common:action.save')}
            </Button>
            <Button onClick={() => save(null)} disabled={busy}>
              {t('billing:overview.turnOff')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('billing:overview.thresholdHelp')}{' '}
        {saved === null
          ? t('billing:overview.thresholdNone')
          : t('billing:overview.thresholdCurrent', {
              amount: formatMoney({ amount: saved, currency }),
            })}
      </Typography.Paragraph>
    </Card>
  );
}
