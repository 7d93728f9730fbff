// The routing table's editor: ordered routes (first match wins; the last one, with no conditions,
// is the default), each a set of conditions and a target. Saved whole (PUT /v1/admin/routes); a
// refusal marks the field the server names (routes[2].filter.prefixes …).
import { useState } from 'react';
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { markProblemField } from '../../../lib/form-problem.ts';
import { CARRIERS, CLASSES, fromForm, toForm, type FormRoute, type Route } from './routing.ts';

export function RouteEditor({
  routes,
  channels,
  onCancel,
  onSaved,
}: {
  routes: Route[];
  channels: Array<{ id: string; up: boolean }>;
  onCancel: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ routes: FormRoute[] }>();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const channelOptions = channels.map((c) => ({ value: c.id, label: c.id }));
  const tags = (placeholder: string) => (
    <Select mode="tags" tokenSeparators={[',', ' ', '，']} placeholder={placeholder} open={false} />
  );

  async function save() {
    const values = form.getFieldsValue(true) as { routes: FormRoute[] };
    setSaving(true);
    setError(null);
    try {
      await api.put('/v1/admin/routes', { routes: (values.routes ?? []).map(fromForm) });
      onSaved();
    } catch (err) {
      setError(err);
      // The hours of a route are two inputs: mark the first.
      markProblemField(form, err, (p) => (p[p.length - 1] === 'hours' ? [...p, 'from'] : p));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Form
      form={form}
      name="routes"
      layout="vertical"
      initialValues={{ routes: routes.map(toForm) }}
      data-testid="route-editor"
    >
      <Typography.Paragraph type="secondary">
        {t('opChannels:routes.editHelp')}
      </Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form.List name="routes">
        {(fields, { add, remove, move }) => (
          <>
            {fields.map((field, index) => (
              <Card
                key={field.key}
                size="small"
                style={{ marginBottom: 12 }}
                title={t('opChannels:routes.routeN', { n: index + 1 })}
                extra={
                  <Space>
                    <Button
                      size="small"
                      disabled={index === 0}
                      onClick={() => move(index, index - 1)}
                    >
                      {t('opChannels:routes.up')}
                    </Button>
                    <Button
                      size="small"
                      disabled={index === fields.length - 1}
                      onClick={() => move(index, index + 1)}
                    >
                      {t('opChannels:routes.down')}
                    </Button>
                    <Button size="small" danger onClick={() => remove(index)}>
                      {t('common:action.delete')}
                    </Button>
                  </Space>
                }
              >
                <Row gutter={12}>
                  <Col xs={24} md={8}>
                    <Form.Item name={[field.name, 'id']} label={t('opChannels:routes.id')}>
                      <Input maxLength={40} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'target', 'kind']}
                      label={t('opChannels:routes.targetKind')}
                    >
                      <Select
                        options={(['channel', 'split', 'failover'] as const).map((k) => ({
                          value: k,
                          label: t(`opChannels:routes.kind.${k}`),
                        }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item noStyle shouldUpdate>
                      {() => {
                        const kind = form.getFieldValue([
                          'routes',
                          field.name,
                          'target',
                          'kind',
                        ]) as string;
                        if (kind === 'failover')
                          return (
                            <Form.Item
                              name={[field.name, 'target', 'channels']}
                              label={t('opChannels:routes.failoverChannels')}
                            >
                              <Select mode="multiple" options={channelOptions} />
                            </Form.Item>
                          );
                        if (kind === 'split') return null;
                        return (
                          <Form.Item
                            name={[field.name, 'target', 'channel']}
                            label={t('opChannels:routes.channel')}
                          >
                            <Select options={channelOptions} />
                          </Form.Item>
                        );
                      }}
                    </Form.Item>
                  </Col>
                </Row>
                <Form.Item noStyle shouldUpdate>
                  {() =>
                    form.getFieldValue(['routes', field.name, 'target', 'kind']) === 'split' ? (
                      <Form.List name={[field.name, 'target', 'weights']}>
                        {(ws, { add: addW, remove: removeW }) => (
                          <Form.Item label={t('opChannels:routes.weights')}>
                            {ws.map((w) => (
                              <Space key={w.key} style={{ display: 'flex', marginBottom: 8 }}>
                                <Form.Item name={[w.name, 'channel']} noStyle>
                                  <Select
                                    options={channelOptions}
                                    style={{ width: 180 }}
                                    aria-label={t('opChannels:routes.channel')}
                                  />
                                </Form.Item>
                                <Form.Item name={[w.name, 'weight']} noStyle>
                                  <InputNumber min={1} aria-label={t('opChannels:routes.weight')} />
                                </Form.Item>
                                <Button size="small" onClick={() => removeW(w.name)}>
                                  {t('common:action.delete')}
                                </Button>
                              </Space>
                            ))}
                            <Button size="small" onClick={() => addW({ weight: 1 })}>
                              {t('opChannels:routes.addWeight')}
                            </Button>
                          </Form.Item>
                        )}
                      </Form.List>
                    ) : null
                  }
                </Form.Item>
                <Typography.Text strong>{t('opChannels:routes.conditions')}</Typography.Text>
                <Row gutter={12}>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'prefixes']}
                      label={t('opChannels:filter.prefixes')}
                    >
                      {tags('+86138')}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'carriers']}
                      label={t('opChannels:filter.carriers')}
                    >
                      <Select
                        mode="multiple"
                        options={CARRIERS.map((c) => ({
                          value: c,
                          label: t(`opChannels:carrier.${c}`),
                        }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'classes']}
                      label={t('opChannels:filter.classes')}
                    >
                      <Select
                        mode="multiple"
                        options={CLASSES.map((c) => ({
                          value: c,
                          label: t(`opChannels:class.${c}`),
                        }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'countries']}
                      label={t('opChannels:filter.countries')}
                    >
                      {tags('CN')}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'tenants']}
                      label={t('opChannels:filter.tenants')}
                    >
                      {tags('ten_…')}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={[field.name, 'filter', 'senders']}
                      label={t('opChannels:filter.senders')}
                    >
                      {tags('')}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item label={t('opChannels:filter.hours')}>
                      <Space>
                        <Form.Item name={[field.name, 'filter', 'hours', 'from']} noStyle>
                          <Input
                            placeholder="08:00"
                            style={{ width: 90 }}
                            aria-label={t('opChannels:filter.hoursFrom')}
                          />
                        </Form.Item>
                        –
                        <Form.Item name={[field.name, 'filter', 'hours', 'to']} noStyle>
                          <Input
                            placeholder="22:00"
                            style={{ width: 90 }}
                            aria-label={t('opChannels:filter.hoursTo')}
                          />
                        </Form.Item>
                      </Space>
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            ))}
            <Space>
              <Button
                onClick={() =>
                  add(
                    { id: `route-${fields.length + 1}`, filter: {}, target: { kind: 'channel' } },
                    Math.max(0, fields.length - 1),
                  )
                }
              >
                {t('opChannels:routes.addRoute')}
              </Button>
              <Button onClick={onCancel}>{t('common:action.cancel')}</Button>
              <Button type="primary" loading={saving} onClick={() => void save()}>
                {t('opChannels:routes.saveTable')}
              </Button>
            </Space>
          </>
        )}
      </Form.List>
    </Form>
  );
}
