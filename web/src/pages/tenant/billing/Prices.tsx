// Prices (资费标准): the tenant's price per SMS part and when it is charged (GET /v1/prices).
import { Descriptions, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { formatMoney } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

interface Rule {
  country?: string;
  carrier?: string;
  class?: string;
  price: string;
}

interface Prices {
  default: boolean;
  chargeMode: string;
  currency: string;
  rules: Rule[];
}

export function PriceList() {
  const { t } = useTranslation();
  const p = useApi((signal) => api.get<Prices>('/v1/prices', {}, signal), []);
  const any = t('billing:prices.any');
  return (
    <PageState
      loading={p.loading}
      error={p.error}
      empty={p.data?.rules.length === 0}
      onRetry={p.reload}
    >
      {p.data ? (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('billing:prices.intro')}
          </Typography.Paragraph>
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t('billing:prices.plan')}>
              <ToneTag tone={p.data.default ? 'default' : 'processing'}>
                {t(p.data.default ? 'billing:prices.defaultPlan' : 'billing:prices.customPlan')}
              </ToneTag>
            </Descriptions.Item>
            <Descriptions.Item label={t('billing:prices.chargeMode')}>
              {t(`billing:prices.chargeModes.${p.data.chargeMode}`, {
                defaultValue: p.data.chargeMode,
              })}
            </Descriptions.Item>
          </Descriptions>
          <Table<Rule & { key: number }>
            size="middle"
            pagination={false}
            dataSource={p.data.rules.map((r, i) => ({ ...r, key: i }))}
            columns={[
              {
                title: t('billing:prices.country'),
                dataIndex: 'country',
                render: (v?: string) => v ?? any,
              },
              {
                title: t('billing:prices.carrier'),
                dataIndex: 'carrier',
                render: (v?: string) =>
                  v ? t(`billing:prices.carriers.${v}`, { defaultValue: v }) : any,
              },
              {
                title: t('billing:prices.class'),
                dataIndex: 'class',
                render: (v?: string) =>
                  v ? t(`billing:prices.classes.${v}`, { defaultValue: v }) : any,
              },
              {
                title: t('billing:prices.price'),
                dataIndex: 'price',
                align: 'right',
                render: (v: string) => formatMoney({ amount: v, currency: p.data!.currency }),
              },
            ]}
          />
        </Space>
      ) : null}
    </PageState>
  );
}
