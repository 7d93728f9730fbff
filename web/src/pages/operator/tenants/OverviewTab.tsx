// The tenant's overview: who it is, its lifecycle (approve, suspend, resume, terminate — each with
// a reason and a confirmation), the language of its notices, its sending limits and its users.
import { useState } from 'react';
import {
  App,
  Button,
  Descriptions,
  Divider,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber } from '../../../lib/format.ts';
import { markProblemField } from '../../../lib/form-problem.ts';
import { TenantStatusTag } from './TenantStatusTag.tsx';
import { UserActions } from './UserActions.tsx';
import type { SendLimits, TenantDetail, UserRow } from './types.ts';
import { EmptyText } from '../../../components/EmptyText.tsx';
import { ToneTag } from '../../../components/ToneTag.tsx';

type Move = 'approve' | 'suspend' | 'resume' | 'terminate';
const TARGET: Record<Move, string> = {
  approve: 'active',
  suspend: 'suspended',
  resume: 'active',
  terminate: 'terminated',
};
const MOVES: Record<string, Move[]> = {
  pending: ['approve', 'terminate'],
  active: ['suspend', 'terminate'],
  suspended: ['resume', 'terminate'],
  terminated: [],
};

export function OverviewTab({
  tenant,
  onChanged,
}: {
  tenant: TenantDetail;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const session = useSession();
  const canStatus = session.can('admin.tenants.status');
  const [move, setMove] = useState<Move | null>(null);

  return (
    <>
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'name', label: t('opTenants:field.name'), children: tenant.name },
          { key: 'id', label: t('opTenants:field.id'), children: tenant.id },
          {
            key: 'status',
            label: t('opTenants:field.status'),
            children: (
              <Space>
                <TenantStatusTag status={tenant.status} />
                {tenant.statusReason ? (
                  <Typography.Text type="secondary">{tenant.statusReason}</Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            key: 'terminateAt',
            label: t('opTenants:field.terminateAt'),
            children: formatDateTime(tenant.terminateAt),
          },
          {
            key: 'creditCode',
            label: t('opTenants:field.creditCode'),
            children: tenant.creditCode ?? '—',
          },
          {
            key: 'contact',
            label: t('opTenants:field.contact'),
            children:
              [tenant.contactName, tenant.contactEmail, tenant.contactPhone]
                .filter(Boolean)
                .join(' · ') || '—',
          },
          { key: 'currency', label: t('opTenants:field.currency'), children: tenant.currency },
          {
            key: 'chargeMode',
            label: t('opTenants:field.chargeMode'),
            children: t(`opTenants:chargeMode.${tenant.chargeMode}`, {
              defaultValue: tenant.chargeMode,
            }),
          },
          {
            key: 'createdAt',
            label: t('opTenants:field.createdAt'),
            children: formatDateTime(tenant.createdAt),
          },
        ]}
      />
      {canStatus && (MOVES[tenant.status] ?? []).length > 0 ? (
        <Space style={{ marginTop: 16 }} wrap>
          {(MOVES[tenant.status] ?? []).map((m) => (
            <Button
              key={m}
              type={m === 'approve' || m === 'resume' ? 'primary' : 'default'}
              danger={m === 'terminate' || m === 'suspend'}
              onClick={() => setMove(m)}
            >
              {t(`opTenants:move.${m}`)}
            </Button>
          ))}
        </Space>
      ) : null}
      <StatusModal
        tenant={tenant}
        move={move}
        onClose={() => setMove(null)}
        onDone={() => {
          setMove(null);
          onChanged();
        }}
      />

      <Divider titlePlacement="start">{t('opTenants:locale.title')}</Divider>
      <LocaleForm tenant={tenant} disabled={!canStatus} />

      <Divider titlePlacement="start">{t('opTenants:limits.title')}</Divider>
      <LimitsForm tenant={tenant} disabled={!canStatus} onChanged={onChanged} />

      <Divider titlePlacement="start">{t('opTenants:users.title')}</Divider>
      <Table<UserRow>
        size="small"
        rowKey="id"
        dataSource={tenant.users}
        pagination={false}
        locale={{ emptyText: <EmptyText>{t('common:state.empty')}</EmptyText> }}
        columns={[
          { title: t('opTenants:users.name'), dataIndex: 'name' },
          { title: t('opTenants:users.email'), dataIndex: 'email' },
          {
            title: t('opTenants:users.role'),
            dataIndex: 'role',
            render: (r: string) => t(`common:roles.${r}`, { defaultValue: r }),
          },
          {
            title: t('opTenants:users.status'),
            dataIndex: 'status',
            render: (_: unknown, u) => (
              <Space size={4}>
                <ToneTag>
                  {t(`opAudit:staff.userStatus.${u.status}`, { defaultValue: u.status })}
                </ToneTag>
                {u.totpEnabled ? <ToneTag tone="processing">2FA</ToneTag> : null}
              </Space>
            ),
          },
          {
            title: t('opTenants:users.lastLogin'),
            dataIndex: 'lastLoginAt',
            render: (v: string | null) => formatDateTime(v),
          },
          ...(session.can('admin.users.manage')
            ? [
                {
                  title: t('opTenants:users.actions'),
                  key: 'actions',
                  render: (_: unknown, u: UserRow) => (
                    <UserActions user={u} onChanged={onChanged} />
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function StatusModal({
  tenant,
  move,
  onClose,
  onDone,
}: {
  tenant: TenantDetail;
  move: Move | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: { reason: string }) {
    if (!move) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/v1/admin/tenants/${tenant.id}/status`, {
        status: TARGET[move],
        reason: v.reason.trim(),
      });
      void message.success(t(`opTenants:move.done.${move}`));
      form.resetFields();
      onDone();
    } catch (err) {
      markProblemField(form, err, ['reason']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={move !== null}
      title={move ? t(`opTenants:move.confirm.${move}`, { name: tenant.name }) : ''}
      okText={move ? t(`opTenants:move.${move}`) : ''}
      okButtonProps={{ danger: move === 'terminate' || move === 'suspend', loading: busy }}
      cancelText={t('common:action.cancel')}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {move ? (
        <Typography.Paragraph>{t(`opTenants:move.explain.${move}`)}</Typography.Paragraph>
      ) : null}
      <ProblemAlert error={error} />
      <Form
        form={form}
        layout="vertical"
        name="tenant-status"
        onFinish={submit}
        initialValues={{ reason: move === 'approve' ? t('opTenants:move.approveReason') : '' }}
      >
        <Form.Item
          label={t('opTenants:move.reason')}
          name="reason"
          rules={[
            { required: true, whitespace: true, message: t('opTenants:move.reasonRequired') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function LocaleForm({ tenant, disabled }: { tenant: TenantDetail; disabled: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>(null);
  const [value, setValue] = useState(tenant.locale);
  return (
    <>
      <ProblemAlert error={error} />
      <Space wrap>
        <Select
          aria-label={t('opTenants:locale.label')}
          value={value}
          disabled={disabled}
          style={{ width: 200 }}
          options={['zh-CN', 'en'].map((l) => ({ value: l, label: t(`common:language.${l}`) }))}
          onChange={(l) => {
            setError(null);
            api
              .put(`/v1/admin/tenants/${tenant.id}/locale`, { locale: l })
              .then(() => {
                setValue(l);
                void message.success(t('opTenants:locale.saved'));
              })
              .catch(setError);
          }}
        />
        <Typography.Text type="secondary">{t('opTenants:locale.hint')}</Typography.Text>
      </Space>
    </>
  );
}

type LimitFields = Pick<SendLimits, 'messagesPerSecond' | 'messagesBurst' | 'messagesInFlight'>;
const LIMIT_KEYS = ['messagesPerSecond', 'messagesBurst', 'messagesInFlight'] as const;

function LimitsForm({
  tenant,
  disabled,
  onChanged,
}: {
  tenant: TenantDetail;
  disabled: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<LimitFields>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const eff = tenant.sendLimits.effective;

  async function submit(v: LimitFields) {
    setBusy(true);
    setError(null);
    try {
      await api.put(`/v1/admin/tenants/${tenant.id}/limits`, {
        messagesPerSecond: v.messagesPerSecond ?? null,
        messagesBurst: v.messagesBurst ?? null,
        messagesInFlight: v.messagesInFlight ?? null,
      });
      void message.success(t('opTenants:limits.saved'));
      onChanged();
    } catch (err) {
      markProblemField(form, err, LIMIT_KEYS);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ProblemAlert error={error} />
      <Form<LimitFields>
        form={form}
        name="tenant-limits"
        layout="inline"
        disabled={disabled}
        onFinish={submit}
        initialValues={{
          messagesPerSecond: tenant.sendLimits.messagesPerSecond,
          messagesBurst: tenant.sendLimits.messagesBurst,
          messagesInFlight: tenant.sendLimits.messagesInFlight,
        }}
      >
        {LIMIT_KEYS.map((k) => (
          <Form.Item
            key={k}
            name={k}
            label={t(`opTenants:limits.${k}`)}
            extra={
              eff
                ? t('opTenants:limits.effective', { value: formatNumber(eff[k]) })
                : t('opTenants:limits.defaultHint')
            }
          >
            <InputNumber
              min={1}
              max={10_000_000}
              precision={0}
              placeholder={t('opTenants:limits.default')}
              style={{ width: 160 }}
            />
          </Form.Item>
        ))}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('common:action.save')}
          </Button>
        </Form.Item>
      </Form>
    </>
  );
}
