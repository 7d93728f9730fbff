// Routes (路由): the routing table — ordered routes, the first whose conditions all match wins,
// its target picks a channel that is up — edited and saved whole, and the tester that answers
// "which channel would this message take, and why" (POST /v1/admin/routes/test).
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useApi } from '../../lib/useApi.ts';
import { markProblemField } from '../../lib/form-problem.ts';
import { RouteEditor } from './network/RouteEditor.tsx';
import {
  CLASSES,
  hhmm,
  type Route,
  type RouteDecision,
  type RoutingTable,
} from './network/routing.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

export default function Routes() {
  const { t } = useTranslation();
  const table = useApi((s) => api.get<RoutingTable>('/v1/admin/routes', undefined, s), []);
  const [editing, setEditing] = useState(false);
  const up = new Map((table.data?.channels ?? []).map((c) => [c.id, c.up]));

  const channelTag = (id: string, extra?: string) => (
    <ToneTag key={id} tone={up.get(id) ? 'success' : 'error'}>
      {id}
      {extra ?? ''} · {t(up.get(id) ? 'opChannels:routes.up_' : 'opChannels:routes.down_')}
    </ToneTag>
  );

  const conditions = (r: Route) => {
    const f = r.filter ?? {};
    const out: React.ReactNode[] = [];
    const list = (key: string, values: string[] | undefined, label?: (v: string) => string) => {
      if (values?.length)
        out.push(
          <div key={key}>
            <Typography.Text type="secondary">
              {t(`opChannels:filter.${key}`)}
              {t('opChannels:colon')}
            </Typography.Text>
            {values.map((v) => (
              <ToneTag key={v}>{label ? label(v) : v}</ToneTag>
            ))}
          </div>,
        );
    };
    list('prefixes', f.prefixes);
    list('carriers', f.carriers, (v) => t(`opChannels:carrier.${v}`));
    list('classes', f.classes, (v) => t(`opChannels:class.${v}`));
    list('countries', f.countries);
    list('tenants', f.tenants);
    list('senders', f.senders);
    if (f.hours)
      out.push(
        <div key="hours">
          <Typography.Text type="secondary">
            {t('opChannels:filter.hours')}
            {t('opChannels:colon')}
          </Typography.Text>
          <ToneTag>
            {hhmm(f.hours.from)}–{hhmm(f.hours.to)}
          </ToneTag>
        </div>,
      );
    return out.length ? (
      out
    ) : (
      <ToneTag tone="processing">{t('opChannels:routes.matchesAll')}</ToneTag>
    );
  };

  const target = (r: Route) => {
    const x = r.target;
    if (x.kind === 'channel') return channelTag(x.channel);
    if (x.kind === 'failover')
      return (
        <Space direction="vertical" size={2}>
          <Typography.Text type="secondary">{t('opChannels:routes.kind.failover')}</Typography.Text>
          <Space wrap size={2}>
            {x.channels.map((c, i) => (
              <span key={c}>
                {i > 0 && '→ '}
                {channelTag(c)}
              </span>
            ))}
          </Space>
        </Space>
      );
    const total = x.weights.reduce((s, w) => s + w.weight, 0);
    return (
      <Space direction="vertical" size={2}>
        <Typography.Text type="secondary">{t('opChannels:routes.kind.split')}</Typography.Text>
        <Space wrap size={2}>
          {x.weights.map((w) => channelTag(w.channel, ` ${Math.round((w.weight / total) * 100)}%`))}
        </Space>
      </Space>
    );
  };

  const routes = table.data?.routes ?? null;
  const firstChannel = table.data?.channels[0]?.id ?? '';
  return (
    <>
      <PageTitle
        title={t('opChannels:routes.title')}
        extra={
          !editing &&
          table.data && (
            <Button type="primary" onClick={() => setEditing(true)}>
              {routes ? t('opChannels:routes.edit') : t('opChannels:routes.create')}
            </Button>
          )
        }
      />
      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Card title={t('opChannels:routes.table')} style={{ marginBottom: 16 }}>
            <PageState loading={table.loading} error={table.error} onRetry={table.reload}>
              {editing && table.data ? (
                <RouteEditor
                  routes={
                    routes ?? [
                      {
                        id: 'default',
                        filter: {},
                        target: { kind: 'channel', channel: firstChannel },
                      },
                    ]
                  }
                  channels={table.data.channels}
                  onCancel={() => setEditing(false)}
                  onSaved={() => {
                    setEditing(false);
                    table.reload();
                  }}
                />
              ) : routes === null ? (
                <Alert type="info" showIcon title={t('opChannels:routes.none')} />
              ) : (
                <Table<Route & { n: number }>
                  rowKey="id"
                  data-testid="routes"
                  pagination={false}
                  dataSource={routes.map((r, i) => ({ ...r, n: i + 1 }))}
                  columns={[
                    { title: t('opChannels:routes.order'), dataIndex: 'n', width: 70 },
                    { title: t('opChannels:routes.id'), dataIndex: 'id' },
                    {
                      title: t('opChannels:routes.conditions'),
                      dataIndex: 'filter',
                      render: (_: unknown, r) => conditions(r),
                    },
                    {
                      title: t('opChannels:routes.target'),
                      dataIndex: 'target',
                      render: (_: unknown, r) => target(r),
                    },
                  ]}
                />
              )}
            </PageState>
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <RouteTester />
        </Col>
      </Row>
    </>
  );
}

function RouteTester() {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [decision, setDecision] = useState<RouteDecision | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [testing, setTesting] = useState(false);

  async function run(values: { to: string; tenantId?: string; class?: string; sender?: string }) {
    setTesting(true);
    setError(null);
    setDecision(null);
    const body = Object.fromEntries(
      Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
    );
    try {
      setDecision(await api.post<RouteDecision>('/v1/admin/routes/test', body));
    } catch (err) {
      setError(err);
      markProblemField(form, err);
    } finally {
      setTesting(false);
    }
  }

  return (
    <Card title={t('opChannels:tester.title')} data-testid="route-tester">
      <Typography.Paragraph type="secondary">{t('opChannels:tester.help')}</Typography.Paragraph>
      <Form
        form={form}
        name="routeTest"
        layout="vertical"
        onFinish={(v) => void run(v)}
        initialValues={{ class: 'notification' }}
      >
        <Form.Item
          name="to"
          label={t('opChannels:tester.to')}
          rules={[{ required: true, message: t('opChannels:tester.toRequired') }]}
        >
          <Input placeholder="13800138000" maxLength={32} />
        </Form.Item>
        <Form.Item name="class" label={t('opChannels:tester.class')}>
          <Select options={CLASSES.map((c) => ({ value: c, label: t(`opChannels:class.${c}`) }))} />
        </Form.Item>
        <Form.Item name="tenantId" label={t('opChannels:tester.tenant')}>
          <Input placeholder="ten_…" maxLength={40} />
        </Form.Item>
        <Form.Item name="sender" label={t('opChannels:tester.sender')}>
          <Input maxLength={21} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={testing} data-testid="route-test-run">
          {t('opChannels:tester.run')}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }} aria-live="polite">
        <ProblemAlert error={error} />
        {decision && (
          <div data-testid="route-decision">
            <Alert
              type={decision.channel ? 'success' : 'warning'}
              showIcon
              title={
                decision.channel
                  ? t('opChannels:tester.takes', { channel: decision.channel })
                  : t('opChannels:tester.noChannel')
              }
              style={{ marginBottom: 12 }}
            />
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('opChannels:tester.route')}>
                {decision.route ?? t('opChannels:tester.noRoute')}
              </Descriptions.Item>
              {decision.skipped?.length ? (
                <Descriptions.Item label={t('opChannels:tester.skipped')}>
                  {decision.skipped.join(', ')}
                </Descriptions.Item>
              ) : null}
              <Descriptions.Item label={t('opChannels:tester.why')}>
                <ol style={{ margin: 0, paddingInlineStart: 18 }}>
                  {decision.why.map((w, i) => (
                    <li key={i}>
                      <Typography.Text code>{w}</Typography.Text>
                    </li>
                  ))}
                </ol>
              </Descriptions.Item>
            </Descriptions>
          </div>
        )}
      </div>
    </Card>
  );
}
