// Add or change a webhook endpoint: URL, events, the statuses it hears of, description, enabled.
import { useLayoutEffect } from 'react';
import { Checkbox, Form, Input, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useFormSubmit } from '../../../lib/form-problem.ts';
import { EVENT_TYPES, STATUS_SELECTORS, type WebhookEndpoint } from './types.ts';
import { FormModal } from '../../../components/FormModal.tsx';

interface Values {
  url: string;
  events: string[];
  statuses: string[];
  description?: string;
  enabled: boolean;
}

const EVENT_LABEL: Record<string, string> = {
  'message.status': 'developer:webhooks.event.status',
  'inbound.received': 'developer:webhooks.event.inbound',
};

export function eventLabel(t: (k: string) => string, e: string): string {
  return EVENT_LABEL[e] ? t(EVENT_LABEL[e]) : e;
}

export function WebhookForm({
  open,
  editing,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The endpoint to change; null: a new one. */
  editing: WebhookEndpoint | null;
  onClose: () => void;
  /** A new endpoint comes with its secret (shown once). */
  onSaved: (e: WebhookEndpoint & { secret?: string }) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['url', 'events', 'statuses', 'description'],
    async (v: Values) => {
      const description = v.description?.trim() ?? '';
      const saved = editing
        ? await api.patch<WebhookEndpoint>(`/v1/webhooks/${encodeURIComponent(editing.id)}`, {
            url: v.url.trim(),
            events: v.events,
            statuses: v.statuses,
            enabled: v.enabled,
            description: description === '' ? null : description,
          })
        : await api.post<WebhookEndpoint & { secret: string }>('/v1/webhooks', {
            url: v.url.trim(),
            events: v.events,
            statuses: v.statuses,
            enabled: v.enabled,
            ...(description ? { description } : {}),
          });
      onSaved(saved);
    },
  );

  // Before the dialog is painted: a value typed into the opening dialog is never reset under it.
  useLayoutEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue(
      editing
        ? {
            url: editing.url,
            events: editing.events,
            statuses: editing.statuses,
            description: editing.description ?? '',
            enabled: editing.enabled,
          }
        : {
            url: '',
            events: [...EVENT_TYPES],
            statuses: ['all'],
            description: '',
            enabled: true,
          },
    );
  }, [open, editing, form]);

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={editing ? t('developer:webhooks.edit') : t('developer:webhooks.create')}
      onCancel={onClose}
      okText={editing ? t('common:action.save') : t('common:action.create')}
      forceRender
      width={600}
    >
      <Form<Values> form={form} name="webhook" layout="vertical" onFinish={submit}>
        <Form.Item
          label={t('developer:webhooks.url')}
          name="url"
          extra={t('developer:webhooks.urlHelp')}
          rules={[
            { required: true, whitespace: true, message: t('developer:webhooks.urlRequired') },
          ]}
        >
          <Input
            maxLength={2048}
            placeholder="https://example.com/hongyan/events"
            inputMode="url"
          />
        </Form.Item>
        <Form.Item
          label={t('developer:webhooks.events')}
          name="events"
          rules={[
            {
              required: true,
              type: 'array',
              min: 1,
              message: t('developer:webhooks.eventsRequired'),
            },
          ]}
        >
          <Checkbox.Group
            options={EVENT_TYPES.map((e) => ({ value: e, label: eventLabel(t, e) }))}
          />
        </Form.Item>
        <Form.Item
          label={t('developer:webhooks.statuses')}
          name="statuses"
          extra={t('developer:webhooks.statusesHelp')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <Select
            mode="multiple"
            aria-label={t('developer:webhooks.statuses')}
            options={STATUS_SELECTORS.map((s) => ({
              value: s,
              label: t(`developer:webhooks.statusSel.${s}`),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('developer:webhooks.description')} name="description">
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item label={t('developer:webhooks.enabled')} name="enabled" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
