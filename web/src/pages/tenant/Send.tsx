// Send SMS: recipients pasted in bulk (checked, deduplicated), a template with its variables or
// free text, the signature and the class, a live part counter; then the server's estimate in a
// confirm step (POST /v1/messages/estimate) and the result per recipient (POST /v1/messages).
import { useEffect, useMemo, useState } from 'react';
import { Button, Card, Form, Input, Radio, Select, Space, Steps, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type Page } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { useApi } from '../../lib/useApi.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { PartCounter } from './messaging/PartCounter.tsx';
import { RecipientsSummary } from './messaging/RecipientsSummary.tsx';
import { SendConfirm } from './messaging/SendConfirm.tsx';
import { SendResult } from './messaging/SendResult.tsx';
import { checkRecipients, type RecipientCheck } from './messaging/recipients.ts';
import { fillTemplate, finalText, leadingSignature } from './messaging/compose.ts';
import { CLASSES } from './messaging/status.tsx';
import type { Accepted, Estimate, SendBody, Signature, Template } from './messaging/types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

interface Values {
  recipients: string;
  source: 'text' | 'template';
  text?: string;
  templateId?: string;
  params?: Record<string, string>;
  signature?: string;
  class: string;
  clientRef?: string;
}

type Step = 'compose' | 'confirm' | 'result';

/** Fields a server problem may name, and the form field that shows it. */
function formField(field: string): Array<string> | null {
  if (field === 'to') return ['recipients'];
  if (field === 'text' || field === 'templateId' || field === 'class' || field === 'clientRef')
    return [field === 'templateId' ? 'templateId' : field];
  if (field.startsWith('params.')) return ['params', field.slice('params.'.length)];
  return null;
}

export default function Send() {
  const { t } = useTranslation();
  const session = useSession();
  const [form] = Form.useForm<Values>();
  const [step, setStep] = useState<Step>('compose');
  const [check, setCheck] = useState<RecipientCheck | null>(null);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [result, setResult] = useState<Accepted | null>(null);
  const [body, setBody] = useState<SendBody | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [idempotencyKey, setIdempotencyKey] = useState('');

  // Templates and signatures belong to compliance; a sender without that permission writes
  // free text and the server adds the default signature.
  const canCompliance = session.can('compliance.manage');
  const templates = useApi(
    (signal) =>
      canCompliance
        ? api.get<Page<Template>>('/v1/templates', undefined, signal)
        : Promise.resolve({ data: [], nextCursor: null }),
    [canCompliance],
  );
  const signatures = useApi(
    (signal) =>
      canCompliance
        ? api.get<Page<Signature>>('/v1/signatures', undefined, signal)
        : Promise.resolve({ data: [], nextCursor: null }),
    [canCompliance],
  );
  const approvedTemplates = useMemo(
    () => (templates.data?.data ?? []).filter((x) => x.status === 'approved'),
    [templates.data],
  );
  const approvedSignatures = useMemo(
    () => (signatures.data?.data ?? []).filter((x) => x.status === 'approved'),
    [signatures.data],
  );
  const defaultSignature =
    approvedSignatures.find((s) => s.default) ??
    (approvedSignatures.length === 1 ? approvedSignatures[0] : undefined);
  useEffect(() => {
    if (defaultSignature && !form.getFieldValue('signature'))
      form.setFieldValue('signature', defaultSignature.text);
  }, [defaultSignature, form]);

  const values = Form.useWatch([], form) as Partial<Values> | undefined;
  const source = values?.source ?? 'text';
  const template = approvedTemplates.find((x) => x.id === values?.templateId);
  const cls =
    source === 'template' && template ? template.class : (values?.class ?? 'notification');

  // Recipients are checked a moment after typing stops.
  const recipientsText = values?.recipients ?? '';
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void checkRecipients(recipientsText).then((c) => {
        if (live) setCheck(c);
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [recipientsText]);

  const typedBody =
    source === 'template'
      ? template
        ? fillTemplate(template.body, values?.params ?? {})
        : ''
      : (values?.text ?? '');
  // As the server builds it: mainland Chinese numbers get the chosen signature, else the default
  // (a template: the default); other countries get the text as written, so a signature other
  // than the default goes into the text itself (requestBody) and reaches them too.
  const chosen = source === 'template' ? null : (values?.signature ?? null);
  const chinaSignature = chosen ?? defaultSignature?.text ?? null;
  const abroadSignature = chosen && chosen !== defaultSignature?.text ? chosen : null;
  const chinaText = typedBody ? finalText(typedBody, chinaSignature, cls) : '';
  const abroadText = typedBody ? finalText(typedBody, abroadSignature, cls) : '';
  const toChina = !check || check.valid.length === 0 || check.china > 0;
  const toAbroad = check !== null && check.abroad > 0;

  function requestBody(v: Values): SendBody {
    const to = check?.entries ?? [];
    const common = {
      to,
      ...(v.clientRef?.trim() ? { clientRef: v.clientRef.trim() } : {}),
    };
    if (v.source === 'template' && template)
      return {
        ...common,
        templateId: template.id,
        params: Object.fromEntries(template.variables.map((n) => [n, v.params?.[n] ?? ''])),
      };
    let text = v.text ?? '';
    // Only a signature other than the one the server would add is written into the text.
    if (v.signature && v.signature !== defaultSignature?.text && leadingSignature(text) === null)
      text = `【${v.signature}】${text}`;
    return { ...common, text, class: v.class };
  }

  function showProblem(err: unknown) {
    setError(err);
    if (err instanceof ApiError && err.field && err.detail) {
      const name = formField(err.field);
      if (name) form.setFields([{ name: name as never, errors: [err.detail] }]);
    }
  }

  async function onEstimate(v: Values) {
    setError(null);
    setBusy(true);
    const req = requestBody(v);
    try {
      const e = await api.post<Estimate>('/v1/messages/estimate', req);
      setBody(req);
      setEstimate(e);
      setIdempotencyKey(crypto.randomUUID());
      setStep('confirm');
    } catch (err) {
      showProblem(err);
    } finally {
      setBusy(false);
    }
  }

  async function onSend() {
    if (!body) return;
    setError(null);
    setBusy(true);
    try {
      // The same key for every click of this confirmation: a double click sends once.
      const r = await api.post<Accepted>('/v1/messages', body, {
        headers: { 'Idempotency-Key': idempotencyKey },
      });
      setResult(r);
      setStep('result');
    } catch (err) {
      showProblem(err);
    } finally {
      setBusy(false);
    }
  }

  function restart() {
    form.resetFields();
    if (defaultSignature) form.setFieldValue('signature', defaultSignature.text);
    setEstimate(null);
    setResult(null);
    setBody(null);
    setError(null);
    setStep('compose');
  }

  const stepIndex = step === 'compose' ? 0 : step === 'confirm' ? 1 : 2;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle title={t('send:title')} />
      <Steps
        current={stepIndex}
        status={step === 'result' ? 'finish' : 'process'}
        items={[
          { title: t('send:steps.compose') },
          { title: t('send:steps.confirm') },
          { title: t('send:steps.result') },
        ]}
      />
      {step !== 'compose' ? <ProblemAlert error={error} /> : null}

      <Card hidden={step !== 'compose'}>
        <ProblemAlert error={templates.error ?? signatures.error} />
        {step === 'compose' ? <ProblemAlert error={error} /> : null}
        <Form<Values>
          form={form}
          name="send"
          layout="vertical"
          initialValues={{ source: 'text', class: 'notification', recipients: '', text: '' }}
          onFinish={(v) => void onEstimate(v)}
          style={{ maxWidth: 820 }}
        >
          <Form.Item
            name="recipients"
            label={t('send:recipients.label')}
            extra={t('send:recipients.help')}
            rules={[{ required: true, whitespace: true, message: t('send:recipients.required') }]}
          >
            <Input.TextArea rows={5} placeholder={t('send:recipients.placeholder')} />
          </Form.Item>
          <RecipientsSummary check={check} />

          {canCompliance && approvedTemplates.length > 0 ? (
            <Form.Item name="source" label={t('send:source.label')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'text', label: t('send:source.text') },
                  { value: 'template', label: t('send:source.template') },
                ]}
              />
            </Form.Item>
          ) : null}

          {source === 'template' ? (
            <>
              <Form.Item
                name="templateId"
                label={t('send:template.label')}
                rules={[{ required: true, message: t('send:template.required') }]}
              >
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={t('send:template.placeholder')}
                  options={approvedTemplates.map((x) => ({
                    value: x.id,
                    label: `${x.name} · ${t(`messages:class.${x.class}`)}`,
                  }))}
                />
              </Form.Item>
              {template ? (
                <Typography.Paragraph type="secondary" data-testid="template-body">
                  {template.body}
                </Typography.Paragraph>
              ) : null}
              {template?.variables.map((name) => (
                <Form.Item
                  key={name}
                  name={['params', name]}
                  label={t('send:template.variable', { name: `\${${name}}` })}
                  rules={[
                    {
                      required: true,
                      whitespace: true,
                      message: t('send:template.paramRequired', { name }),
                    },
                  ]}
                >
                  <Input maxLength={200} />
                </Form.Item>
              ))}
            </>
          ) : (
            <Form.Item
              name="text"
              label={t('send:text.label')}
              rules={[{ required: true, whitespace: true, message: t('send:text.required') }]}
            >
              <Input.TextArea rows={5} placeholder={t('send:text.placeholder')} />
            </Form.Item>
          )}

          {canCompliance && source === 'text' ? (
            <Form.Item
              name="signature"
              label={t('send:signature.label')}
              extra={
                approvedSignatures.length === 0
                  ? t('send:signature.none')
                  : t('send:signature.help')
              }
            >
              <Select
                allowClear={!defaultSignature}
                placeholder={t('send:signature.placeholder')}
                options={approvedSignatures.map((s) => ({
                  value: s.text,
                  label: `【${s.text}】${s.default ? ` · ${t('send:signature.default')}` : ''}`,
                }))}
              />
            </Form.Item>
          ) : null}
          {canCompliance && source === 'template' ? (
            <Form.Item label={t('send:signature.label')} extra={t('send:signature.templateHelp')}>
              <span data-testid="template-signature">
                {defaultSignature ? `【${defaultSignature.text}】` : t('send:signature.noDefault')}
              </span>
            </Form.Item>
          ) : null}

          {toChina ? (
            <PartCounter
              text={chinaText}
              {...(toAbroad ? { title: t('send:counter.toChina') } : {})}
            />
          ) : null}
          {toAbroad && (!toChina || abroadText !== chinaText) ? (
            <PartCounter
              text={abroadText}
              {...(toChina ? { title: t('send:counter.toAbroad'), testPrefix: 'abroad-' } : {})}
            />
          ) : null}
          {cls === 'marketing' ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('send:counter.hintNote')}
            </Typography.Paragraph>
          ) : null}

          <Space wrap size="large" style={{ marginTop: 16 }}>
            <Form.Item
              name="class"
              label={t('send:class.label')}
              extra={source === 'template' ? t('send:class.fromTemplate') : undefined}
            >
              <Select
                style={{ minWidth: 200 }}
                disabled={source === 'template'}
                options={CLASSES.map((c) => ({ value: c, label: t(`messages:class.${c}`) }))}
              />
            </Form.Item>
            <Form.Item name="clientRef" label={t('send:clientRef.label')}>
              <Input maxLength={64} style={{ minWidth: 240 }} />
            </Form.Item>
          </Space>

          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('send:action.estimate')}
            </Button>
          </Form.Item>
        </Form>
      </Card>

      {step === 'confirm' && estimate ? (
        <SendConfirm
          estimate={estimate}
          busy={busy}
          onBack={() => {
            setError(null);
            setStep('compose');
          }}
          onSend={() => void onSend()}
        />
      ) : null}
      {step === 'result' && result ? <SendResult result={result} onAgain={restart} /> : null}
    </Space>
  );
}
