// Add or change a carrier channel (POST / PATCH /v1/admin/channels): the options the API takes for
// SMPP, CMPP or the built-in simulator. The password is write-only: shown as set, sent only when
// typed. A refusal marks the field the server names (422 invalid_channel, 400 unknown option).
import { useLayoutEffect, useState } from 'react';
import { Col, Collapse, Form, Input, InputNumber, Modal, Row, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { markProblemField } from '../../../lib/form-problem.ts';
import type { ChannelView } from './channel-types.ts';

type Kind = 'smpp' | 'cmpp' | 'simulator';

const COMMON_NUMBERS = ['binds', 'window', 'throughput'] as const;
const ADVANCED = [
  'enquireLinkSeconds',
  'responseTimeoutSeconds',
  'reconnectMinMs',
  'reconnectMaxMs',
  'burstErrors',
  'burstWindowSeconds',
  'burstCooldownSeconds',
] as const;
const SMPP_ONLY = [
  'systemId',
  'systemType',
  'receiptIdMode',
  'tls',
  'tlsInsecure',
  'defaultDataCoding',
];
const CMPP_ONLY = ['version', 'spId', 'serviceId', 'authSourceAddr'];

const DEFAULTS: Record<Kind, Record<string, unknown>> = {
  smpp: {
    host: '',
    port: 2775,
    binds: 1,
    window: 100,
    throughput: 200,
    use: 'live',
    enabled: true,
  },
  simulator: {
    host: '127.0.0.1',
    port: 0,
    binds: 1,
    window: 100,
    throughput: 20000,
    use: 'both',
    enabled: true,
  },
  cmpp: {
    host: '',
    port: 7890,
    binds: 1,
    window: 16,
    throughput: 200,
    use: 'live',
    enabled: true,
    version: 3,
  },
};

export function ChannelForm({
  open,
  channel,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** null: a new channel. */
  channel: ChannelView | null;
  onClose: () => void;
  onSaved: (c: ChannelView) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const kind = (Form.useWatch('kind', form) as Kind | undefined) ?? channel?.kind ?? 'smpp';

  // Before the dialog is painted: a value typed into the opening dialog is never reset under it.
  useLayoutEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue(
      channel ? { ...channel, password: '' } : { kind: 'smpp', ...DEFAULTS.smpp },
    );
  }, [open, channel, form]);

  async function save() {
    let values: Record<string, unknown>;
    try {
      values = (await form.validateFields()) as Record<string, unknown>;
    } catch {
      return;
    }
    const body: Record<string, unknown> = {};
    const allowed = new Set([
      'id',
      'kind',
      'name',
      'host',
      'port',
      'sourceAddr',
      'use',
      'enabled',
      'password',
      ...COMMON_NUMBERS,
      ...ADVANCED,
      ...(values.kind === 'cmpp' || channel?.kind === 'cmpp' ? CMPP_ONLY : SMPP_ONLY),
    ]);
    for (const [k, v] of Object.entries(values)) {
      if (!allowed.has(k) || v === undefined || v === null) continue;
      // Write-only: an empty password keeps the one the channel has.
      if (k === 'password' && v === '') continue;
      if (channel && (k === 'id' || k === 'kind')) continue;
      // Unchanged options are not sent, so the audit log names only what changed.
      if (channel && JSON.stringify(channel[k]) === JSON.stringify(v)) continue;
      body[k] = v;
    }
    setSaving(true);
    setError(null);
    try {
      const saved = channel
        ? await api.patch<ChannelView>(`/v1/admin/channels/${encodeURIComponent(channel.id)}`, body)
        : await api.post<ChannelView>('/v1/admin/channels', body);
      onSaved(saved);
    } catch (err) {
      setError(err);
      markProblemField(form, err);
    } finally {
      setSaving(false);
    }
  }

  const num = (name: string, min: number, max?: number, required = true) => (
    <Col xs={24} sm={12} key={name}>
      <Form.Item
        name={name}
        label={t(`opChannels:field.${name}`)}
        rules={required ? [{ required: true, message: t('opChannels:form.required') }] : []}
      >
        <InputNumber min={min} max={max} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );

  return (
    <Modal
      open={open}
      title={
        channel ? t('opChannels:form.editTitle', { id: channel.id }) : t('opChannels:form.addTitle')
      }
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common:action.save')}
      cancelText={t('common:action.cancel')}
      confirmLoading={saving}
      width={760}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" name="channel" data-testid="channel-form">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="kind" label={t('opChannels:field.kind')}>
              <Select
                disabled={!!channel}
                options={(['smpp', 'cmpp', 'simulator'] as const).map((k) => ({
                  value: k,
                  label: t(`opChannels:kind.${k}`),
                }))}
                onChange={(k: Kind) => form.setFieldsValue(DEFAULTS[k])}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="id"
              label={t('opChannels:field.id')}
              extra={channel ? undefined : t('opChannels:form.idHelp')}
              rules={[{ required: true, message: t('opChannels:form.required') }]}
            >
              <Input disabled={!!channel} maxLength={32} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('opChannels:field.name')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="use" label={t('opChannels:field.use')}>
              <Select
                options={(['live', 'test', 'both'] as const).map((u) => ({
                  value: u,
                  label: t(`opChannels:use.${u}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="host"
              label={t('opChannels:field.host')}
              rules={[{ required: true, message: t('opChannels:form.required') }]}
            >
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="port"
              label={t('opChannels:field.port')}
              extra={kind === 'simulator' ? t('opChannels:form.simulatorPort') : undefined}
              rules={[{ required: true, message: t('opChannels:form.required') }]}
            >
              <InputNumber min={0} max={65535} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {kind === 'cmpp' ? (
            <>
              <Col xs={24} sm={12}>
                <Form.Item name="spId" label={t('opChannels:field.spId')}>
                  <Input maxLength={6} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="serviceId" label={t('opChannels:field.serviceId')}>
                  <Input maxLength={10} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="version" label={t('opChannels:field.version')}>
                  <Select
                    options={[
                      { value: 2, label: 'CMPP 2.0' },
                      { value: 3, label: 'CMPP 3.0' },
                    ]}
                  />
                </Form.Item>
              </Col>
            </>
          ) : (
            <>
              <Col xs={24} sm={12}>
                <Form.Item name="systemId" label={t('opChannels:field.systemId')}>
                  <Input maxLength={15} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="systemType" label={t('opChannels:field.systemType')}>
                  <Input maxLength={12} />
                </Form.Item>
              </Col>
            </>
          )}
          <Col xs={24} sm={12}>
            <Form.Item
              name="password"
              label={t('opChannels:field.password')}
              extra={channel?.passwordSet ? t('opChannels:form.passwordKept') : undefined}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="sourceAddr" label={t('opChannels:field.sourceAddr')}>
              <Input maxLength={21} />
            </Form.Item>
          </Col>
          {num('binds', 1, 32)}
          {num('window', 1, 1024)}
          {num('throughput', 1)}
          <Col xs={24} sm={12}>
            <Form.Item name="enabled" label={t('opChannels:field.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Collapse
          size="small"
          items={[
            {
              key: 'advanced',
              label: t('opChannels:form.advanced'),
              forceRender: true,
              children: (
                <Row gutter={16}>
                  {ADVANCED.map((n) => num(n, n === 'burstErrors' ? 0 : 1, undefined, false))}
                  {kind !== 'cmpp' && (
                    <>
                      <Col xs={24} sm={12}>
                        <Form.Item name="receiptIdMode" label={t('opChannels:field.receiptIdMode')}>
                          <Select
                            options={['same', 'hex-resp-dec-dlr', 'dec-resp-hex-dlr'].map((v) => ({
                              value: v,
                              label: v,
                            }))}
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={24} sm={12}>
                        <Form.Item
                          name="tls"
                          label={t('opChannels:field.tls')}
                          valuePropName="checked"
                        >
                          <Switch />
                        </Form.Item>
                      </Col>
                    </>
                  )}
                </Row>
              ),
            },
          ]}
        />
      </Form>
    </Modal>
  );
}
