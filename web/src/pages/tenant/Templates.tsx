// Templates (短信模板): the tenant's templates with their class, variables, review state and the
// reviewer's note, and a form to apply for one (GET/POST /v1/templates). The form lists the
// variables found as the text is typed, with the server's own parser (src/core/compliance).
import { useMemo, useState } from 'react';
import { App, Button, Form, Input, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { parseTemplate } from '@core/compliance/templates.ts';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ReviewStatusTag } from './compliance/ReviewStatusTag.tsx';
import { ToneTag } from '../../components/ToneTag.tsx';
import { FormModal } from '../../components/FormModal.tsx';

const CLASSES = ['verification', 'notification', 'marketing'] as const;

interface Template {
  id: string;
  name: string;
  body: string;
  variables: string[];
  class: string;
  status: string;
  reason: string | null;
  createdAt: string;
  reviewedAt: string | null;
}

interface Fields {
  name: string;
  body: string;
  class: string;
}

export default function Templates() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi((signal) => api.get<{ data: Template[] }>('/v1/templates', {}, signal), []);
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (list.data?.data ?? []).filter(
      (x) =>
        (!status || x.status === status) &&
        (!needle || x.name.toLowerCase().includes(needle) || x.body.toLowerCase().includes(needle)),
    );
  }, [list.data, status, q]);

  const columns: ColumnsType<Template> = [
    {
      title: t('compliance:templates.name'),
      dataIndex: 'name',
      render: (v: string, x) => (
        <Space orientation="vertical" size={0}>
          <span>{v}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: x.id }}>
            {x.id}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('compliance:templates.body'),
      dataIndex: 'body',
      render: (v: string) => <span style={{ whiteSpace: 'pre-wrap' }}>{v}</span>,
    },
    {
      title: t('compliance:templates.class'),
      dataIndex: 'class',
      width: 110,
      render: (v: string) => t(`compliance:class.${v}`, { defaultValue: v }),
    },
    {
      title: t('compliance:templates.variables'),
      dataIndex: 'variables',
      render: (v: string[]) =>
        v.length
          ? v.map((name) => <ToneTag key={name}>{name}</ToneTag>)
          : t('compliance:templates.noVariables'),
    },
    {
      title: t('compliance:common.status'),
      dataIndex: 'status',
      width: 130,
      render: (v: string) => <ReviewStatusTag status={v} />,
    },
    {
      title: t('compliance:common.reason'),
      dataIndex: 'reason',
      render: (v: string | null) => v || t('compliance:common.noReason'),
    },
    {
      title: t('compliance:common.createdAt'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
    },
  ];

  return (
    <>
      <PageTitle
        title={t('compliance:templates.title')}
        intro={t('compliance:templates.intro')}
        extra={
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('compliance:templates.submit')}
          </Button>
        }
      />
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          allowClear
          aria-label={t('compliance:templates.search')}
          placeholder={t('compliance:templates.search')}
          style={{ width: 260 }}
          onSearch={setQ}
        />
        <Select
          aria-label={t('compliance:common.filterStatus')}
          style={{ width: 180 }}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('compliance:common.allStatuses') },
            ...(['pending', 'approved', 'rejected'] as const).map((s) => ({
              value: s,
              label: t(`compliance:status.${s}`),
            })),
          ]}
        />
        <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
      </Space>
      <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<Template>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
        />
      </PageState>
      <SubmitTemplate
        open={open}
        onClose={() => setOpen(false)}
        onDone={() => {
          setOpen(false);
          void message.success(t('compliance:templates.submitted'));
          list.reload();
        }}
      />
    </>
  );
}

/** The variables of a body as the server will see them, or why it will refuse it. */
function variablesOf(body: string | undefined): { variables: string[]; problem: string | null } {
  if (!body?.trim()) return { variables: [], problem: null };
  try {
    return { variables: parseTemplate(body).variables, problem: null };
  } catch (err) {
    return { variables: [], problem: (err as Error).message };
  }
}

function SubmitTemplate({
  open,
  onClose,
  onDone,
}: {
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const body = Form.useWatch('body', form);
  const found = useMemo(() => variablesOf(body), [body]);
  const { submit, busy, error } = useFormSubmit(
    form,
    ['name', 'body', 'class'],
    async (v: Fields) => {
      await api.post('/v1/templates', { name: v.name.trim(), body: v.body, class: v.class });
      form.resetFields();
      onDone();
    },
    { alertOnField: false },
  );

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t('compliance:templates.submitTitle')}
      okText={t('common:action.submit')}
      onCancel={onClose}
      width={640}
      destroyOnHidden
    >
      <Form<Fields>
        form={form}
        layout="vertical"
        name="template"
        onFinish={submit}
        preserve={false}
        initialValues={{ class: 'notification' }}
      >
        <Form.Item
          name="name"
          label={t('compliance:templates.name')}
          extra={t('compliance:templates.nameHelp')}
          rules={[
            { required: true, whitespace: true, message: t('compliance:templates.nameRequired') },
          ]}
        >
          <Input maxLength={100} autoFocus />
        </Form.Item>
        <Form.Item
          name="class"
          label={t('compliance:templates.class')}
          extra={t('compliance:templates.classHelp')}
          rules={[{ required: true, message: t('compliance:templates.classRequired') }]}
        >
          <Select options={CLASSES.map((c) => ({ value: c, label: t(`compliance:class.${c}`) }))} />
        </Form.Item>
        <Form.Item
          name="body"
          label={t('compliance:templates.body')}
          extra={t('compliance:templates.bodyHelp')}
          rules={[
            { required: true, whitespace: true, message: t('compliance:templates.bodyRequired') },
          ]}
        >
          <Input.TextArea rows={4} maxLength={1000} showCount />
        </Form.Item>
        <div aria-live="polite" data-testid="template-variables">
          <Typography.Text strong>{t('compliance:templates.variablesFound')}</Typography.Text>{' '}
          {found.problem ? (
            <Typography.Text type="danger">
              {t('compliance:templates.invalidBody', { detail: found.problem })}
            </Typography.Text>
          ) : found.variables.length ? (
            found.variables.map((v) => <ToneTag key={v}>{v}</ToneTag>)
          ) : (
            <Typography.Text type="secondary">
              {t('compliance:templates.noVariables')}
            </Typography.Text>
          )}
        </div>
      </Form>
    </FormModal>
  );
}
