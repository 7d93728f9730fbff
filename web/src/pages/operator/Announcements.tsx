// Announcements (公告): notices, maintenance and changes to every tenant or chosen ones, shown as
// a banner in the tenant console and, when asked, emailed to the owners (advance notice of
// changes and maintenance). Withdrawing hides one and stops emails not yet sent.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Switch,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { CursorTable } from '../../components/CursorTable.tsx';
import { ProblemAlert, problemText } from '../../components/ProblemAlert.tsx';
import { useCursorList } from '../../lib/useCursorList.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { markProblemField } from '../../lib/form-problem.ts';
import { TenantLink, TenantPicker } from './tenants/TenantPicker.tsx';
import { ToneTag, type Tone } from '../../components/ToneTag.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

interface Announcement {
  id: string;
  kind: 'notice' | 'maintenance' | 'change';
  title: string;
  body: string;
  startsAt: string | null;
  endsAt: string | null;
  status: 'current' | 'upcoming' | 'ended' | 'withdrawn';
  createdAt: string;
  audience: 'all' | 'tenants';
  tenantIds: string[] | null;
  email: boolean;
  emails: ({ listed: boolean } & Record<string, number | boolean>) | null;
  withdrawnAt: string | null;
}

const KINDS = ['notice', 'maintenance', 'change'] as const;
const KIND_TONES: Record<string, Tone> = {
  notice: 'processing',
  maintenance: 'warning',
  change: 'purple',
};
const STATUS_TONES: Record<string, Tone> = {
  current: 'success',
  upcoming: 'processing',
  ended: 'default',
  withdrawn: 'default',
};

export default function Announcements() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useCursorList<Announcement>('/v1/admin/announcements', {});
  const [open, setOpen] = useState(false);

  async function withdraw(a: Announcement) {
    try {
      await api.delete(`/v1/admin/announcements/${a.id}`);
      void message.success(t('opAnnouncements:withdrawn'));
      list.reload();
    } catch (err) {
      const p = problemText(err, t);
      void message.error([p.title, p.detail].filter(Boolean).join(' · '));
    }
  }

  return (
    <>
      <PageTitle
        title={t('opAnnouncements:title')}
        extra={
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('opAnnouncements:create')}
          </Button>
        }
      />
      <Card>
        <CursorTable<Announcement>
          list={list}
          rowKey="id"
          data-testid="announcements-table"
          expandable={{
            expandedRowRender: (a) => (
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                {a.body}
              </Typography.Paragraph>
            ),
          }}
          columns={[
            { title: t('opAnnouncements:field.title'), dataIndex: 'title' },
            {
              title: t('opAnnouncements:field.kind'),
              dataIndex: 'kind',
              render: (k: string) => (
                <ToneTag tone={KIND_TONES[k]}>{t(`opAnnouncements:kind.${k}`)}</ToneTag>
              ),
            },
            {
              title: t('opAnnouncements:field.status'),
              dataIndex: 'status',
              render: (s: string) => (
                <ToneTag tone={STATUS_TONES[s]} data-status={s}>
                  {t(`opAnnouncements:status.${s}`)}
                </ToneTag>
              ),
            },
            {
              title: t('opAnnouncements:field.audience'),
              dataIndex: 'audience',
              render: (_: unknown, a) =>
                a.audience === 'all' ? (
                  t('opAnnouncements:audience.all')
                ) : (
                  <Space size={4} wrap>
                    {(a.tenantIds ?? []).slice(0, 3).map((id) => (
                      <TenantLink key={id} id={id} />
                    ))}
                    {(a.tenantIds ?? []).length > 3
                      ? t('opAnnouncements:audience.more', {
                          count: (a.tenantIds ?? []).length - 3,
                        })
                      : null}
                  </Space>
                ),
            },
            {
              title: t('opAnnouncements:field.window'),
              key: 'window',
              render: (_: unknown, a) =>
                a.startsAt || a.endsAt
                  ? `${formatDateTime(a.startsAt)} – ${formatDateTime(a.endsAt)}`
                  : t('opAnnouncements:window.open'),
            },
            {
              title: t('opAnnouncements:field.email'),
              dataIndex: 'emails',
              render: (_: unknown, a) => <EmailState a={a} />,
            },
            {
              title: t('opAnnouncements:field.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('opAnnouncements:field.actions'),
              key: 'actions',
              render: (_: unknown, a) =>
                a.status === 'withdrawn' || a.status === 'ended' ? null : (
                  <Popconfirm
                    title={t('opAnnouncements:withdrawConfirm', { title: a.title })}
                    description={t('opAnnouncements:withdrawHint')}
                    okText={t('opAnnouncements:withdraw')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common:action.cancel')}
                    onConfirm={() => withdraw(a)}
                  >
                    <Button danger size="small">
                      {t('opAnnouncements:withdraw')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <CreateModal
        open={open}
        onClose={() => setOpen(false)}
        onDone={() => {
          setOpen(false);
          list.first();
          list.reload();
        }}
      />
    </>
  );
}

function EmailState({ a }: { a: Announcement }) {
  const { t } = useTranslation();
  if (!a.email || !a.emails) return <>{t('opAnnouncements:email.no')}</>;
  const counts = Object.entries(a.emails).filter(
    (e): e is [string, number] => e[0] !== 'listed' && typeof e[1] === 'number' && e[1] > 0,
  );
  if (!a.emails.listed && counts.length === 0) return <>{t('opAnnouncements:email.waiting')}</>;
  return (
    <>
      {counts.length === 0
        ? t('opAnnouncements:email.none')
        : counts
            .map(
              ([s, n]) =>
                `${t(`opAnnouncements:email.${s}`, { defaultValue: s })} ${formatNumber(n)}`,
            )
            .join(' · ')}
    </>
  );
}

interface CreateFields {
  kind: (typeof KINDS)[number];
  title: string;
  body: string;
  audience: 'all' | 'tenants';
  tenantIds?: string[];
  window?: [Dayjs | null, Dayjs | null] | null;
  email: boolean;
}

function CreateModal({
  open,
  onClose,
  onDone,
}: {
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateFields>();
  const audience = Form.useWatch('audience', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: CreateFields) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/v1/admin/announcements', {
        kind: v.kind,
        title: v.title.trim(),
        body: v.body.trim(),
        audience: v.audience,
        ...(v.audience === 'tenants' ? { tenantIds: v.tenantIds ?? [] } : {}),
        startsAt: v.window?.[0]?.toISOString() ?? null,
        endsAt: v.window?.[1]?.toISOString() ?? null,
        email: v.email,
      });
      void message.success(t('opAnnouncements:created'));
      form.resetFields();
      onDone();
    } catch (err) {
      // The window is one control for the API's two fields.
      if (err instanceof ApiError && (err.field === 'startsAt' || err.field === 'endsAt'))
        form.setFields([{ name: 'window', errors: [err.detail ?? err.title] }]);
      else markProblemField(form, err, ['kind', 'title', 'body', 'audience', 'tenantIds', 'email']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      width={680}
      title={t('opAnnouncements:create')}
      okText={t('opAnnouncements:publish')}
      cancelText={t('common:action.cancel')}
      okButtonProps={{ loading: busy }}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      forceRender
    >
      <ProblemAlert error={error} />
      <Form<CreateFields>
        form={form}
        name="announcement"
        layout="vertical"
        onFinish={submit}
        initialValues={{ kind: 'notice', audience: 'all', email: false }}
      >
        <Form.Item name="kind" label={t('opAnnouncements:field.kind')}>
          <Radio.Group
            optionType="button"
            options={KINDS.map((k) => ({ value: k, label: t(`opAnnouncements:kind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('opAnnouncements:field.title')}
          rules={[{ required: true, whitespace: true, message: t('opAnnouncements:required') }]}
        >
          <Input maxLength={120} showCount />
        </Form.Item>
        <Form.Item
          name="body"
          label={t('opAnnouncements:field.body')}
          rules={[{ required: true, whitespace: true, message: t('opAnnouncements:required') }]}
        >
          <Input.TextArea rows={5} maxLength={4000} showCount />
        </Form.Item>
        <Form.Item name="audience" label={t('opAnnouncements:field.audience')}>
          <Radio.Group
            options={[
              { value: 'all', label: t('opAnnouncements:audience.all') },
              { value: 'tenants', label: t('opAnnouncements:audience.tenants') },
            ]}
          />
        </Form.Item>
        {audience === 'tenants' ? (
          <Form.Item
            name="tenantIds"
            label={t('opAnnouncements:field.tenants')}
            rules={[
              { required: true, type: 'array', min: 1, message: t('opAnnouncements:pickTenants') },
            ]}
          >
            <TenantPicker multiple aria-label={t('opAnnouncements:field.tenants')} />
          </Form.Item>
        ) : null}
        <Form.Item
          name="window"
          label={t('opAnnouncements:field.window')}
          extra={t('opAnnouncements:window.hint')}
        >
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            allowEmpty={[true, true]}
            aria-label={t('opAnnouncements:field.window')}
            placeholder={[t('opAnnouncements:window.start'), t('opAnnouncements:window.end')]}
          />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('opAnnouncements:field.email')}
          valuePropName="checked"
          extra={t('opAnnouncements:email.hint')}
        >
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
