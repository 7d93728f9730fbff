// Users and roles (成员与角色, /v1/users): the members, adding one (the temporary password is shown
// once), changing a role, disabling a member; and what each role may do.
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { TENANT_ROLES, type TenantUser } from './account/types.ts';
import { markProblemField } from '../../lib/form-problem.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { SecretOnce, type ShownSecret } from '../../components/SecretOnce.tsx';
import { ToneTag, type Tone } from '../../components/ToneTag.tsx';
import { FormModal } from '../../components/FormModal.tsx';

const ROLE_COLOURS: Record<string, Tone> = {
  owner: 'gold',
  developer: 'geekblue',
  sender: 'cyan',
  viewer: 'default',
};

interface Invite {
  email: string;
  name: string;
  role: string;
}

export default function Users() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const myId = session.me?.user.id;
  const users = useApi(
    (signal) => api.get<{ data: TenantUser[] }>('/v1/users', undefined, signal),
    [],
  );
  const [inviting, setInviting] = useState(false);
  const [roleOf, setRoleOf] = useState<TenantUser | null>(null);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function disable(u: TenantUser) {
    setError(null);
    try {
      await api.delete(`/v1/users/${encodeURIComponent(u.id)}`);
      void message.success(t('account:users.disabled'));
      users.reload();
    } catch (err) {
      setError(err);
    }
  }

  async function enable(u: TenantUser) {
    setError(null);
    try {
      await api.patch(`/v1/users/${encodeURIComponent(u.id)}`, { status: 'active' });
      void message.success(t('account:users.enabled'));
      users.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageTitle
        title={t('account:users.title')}
        intro={t('account:users.intro')}
        extra={
          <Button type="primary" onClick={() => setInviting(true)}>
            {t('account:users.invite')}
          </Button>
        }
      />
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Card>
          <ProblemAlert error={error} />
          <PageState
            loading={users.loading && !users.data}
            error={users.error}
            onRetry={users.reload}
          >
            <Table<TenantUser>
              rowKey="id"
              size="middle"
              dataSource={users.data?.data ?? []}
              pagination={false}
              scroll={{ x: 1000 }}
              columns={[
                {
                  title: t('account:users.name'),
                  dataIndex: 'name',
                  render: (name: string, u) => (
                    <Space>
                      <Typography.Text strong>{name}</Typography.Text>
                      {u.id === myId ? (
                        <ToneTag tone="processing">{t('account:users.you')}</ToneTag>
                      ) : null}
                    </Space>
                  ),
                },
                { title: t('account:users.email'), dataIndex: 'email' },
                {
                  title: t('account:users.role'),
                  dataIndex: 'role',
                  render: (r: string) => (
                    <ToneTag tone={ROLE_COLOURS[r] ?? 'default'}>
                      {t(`common:roles.${r}`, { defaultValue: r })}
                    </ToneTag>
                  ),
                },
                {
                  title: t('account:users.status'),
                  key: 'status',
                  render: (_, u) => (
                    <Space size={4} wrap>
                      {u.status === 'active' ? (
                        <ToneTag tone="success">{t('account:users.statusName.active')}</ToneTag>
                      ) : (
                        <ToneTag>
                          {t(`account:users.statusName.${u.status}`, { defaultValue: u.status })}
                        </ToneTag>
                      )}
                      {u.mustChangePassword && u.status === 'active' ? (
                        <ToneTag tone="warning">{t('account:users.mustChange')}</ToneTag>
                      ) : null}
                      {u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? (
                        <ToneTag tone="error">{t('account:users.locked')}</ToneTag>
                      ) : null}
                    </Space>
                  ),
                },
                {
                  title: t('account:users.twoFactor'),
                  dataIndex: 'totpEnabled',
                  render: (v: boolean) =>
                    v ? (
                      <ToneTag tone="success">{t('account:profile.on')}</ToneTag>
                    ) : (
                      <ToneTag>{t('account:profile.off')}</ToneTag>
                    ),
                },
                {
                  title: t('account:users.lastLogin'),
                  dataIndex: 'lastLoginAt',
                  render: (v: string | null) => formatDateTime(v),
                },
                {
                  title: t('account:users.createdAt'),
                  dataIndex: 'createdAt',
                  render: (v: string) => formatDateTime(v),
                },
                {
                  title: t('account:users.actions'),
                  key: 'actions',
                  fixed: 'right',
                  render: (_, u) =>
                    u.id === myId ? null : u.status === 'disabled' ? (
                      <Popconfirm
                        title={t('account:users.enableConfirm', { name: u.name })}
                        description={t('account:users.enableHint')}
                        okText={t('account:users.enable')}
                        cancelText={t('common:action.cancel')}
                        onConfirm={() => enable(u)}
                      >
                        <Button size="small">{t('account:users.enable')}</Button>
                      </Popconfirm>
                    ) : u.status !== 'active' ? null : (
                      <Space>
                        <Button size="small" onClick={() => setRoleOf(u)}>
                          {t('account:users.changeRole')}
                        </Button>
                        <Popconfirm
                          title={t('account:users.disableConfirm', { name: u.name })}
                          description={t('account:users.disableHint')}
                          okText={t('account:users.disable')}
                          okButtonProps={{ danger: true }}
                          cancelText={t('common:action.cancel')}
                          onConfirm={() => disable(u)}
                        >
                          <Button size="small" danger>
                            {t('account:users.disable')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                },
              ]}
            />
          </PageState>
        </Card>
        <Card title={t('account:users.rolesTitle')} size="small">
          <Descriptions column={1} size="small" bordered>
            {TENANT_ROLES.map((r) => (
              <Descriptions.Item
                key={r}
                label={<ToneTag tone={ROLE_COLOURS[r]}>{t(`common:roles.${r}`)}</ToneTag>}
              >
                {t(`account:users.roleDesc.${r}`)}
              </Descriptions.Item>
            ))}
          </Descriptions>
        </Card>
      </Space>
      <InviteUser
        open={inviting}
        onClose={() => setInviting(false)}
        onCreated={(u, password) => {
          setInviting(false);
          users.reload();
          setShown({
            title: t('account:users.createdTitle'),
            hint: t('account:users.createdHint', { email: u.email }),
            items: [
              { label: t('account:users.email'), value: u.email, testId: 'new-user-email' },
              { label: t('account:users.tempPassword'), value: password, testId: 'temp-password' },
            ],
          });
        }}
      />
      <ChangeRole
        user={roleOf}
        onClose={() => setRoleOf(null)}
        onSaved={() => {
          setRoleOf(null);
          void message.success(t('account:users.roleChanged'));
          users.reload();
        }}
      />
      <SecretOnce secret={shown} onClose={() => setShown(null)} />
    </>
  );
}

function roleOptions(t: (k: string) => string) {
  return TENANT_ROLES.map((r) => ({
    value: r,
    label: (
      <span>
        {t(`common:roles.${r}`)}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {' '}
          — {t(`account:users.roleDesc.${r}`)}
        </Typography.Text>
      </span>
    ),
    title: t(`common:roles.${r}`),
  }));
}

function InviteUser({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (u: TenantUser, temporaryPassword: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Invite>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: Invite) {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ user: TenantUser; temporaryPassword: string }>('/v1/users', {
        email: v.email.trim(),
        name: v.name.trim(),
        role: v.role,
      });
      form.resetFields();
      onCreated(r.user, r.temporaryPassword);
    } catch (err) {
      setError(err);
      markProblemField(form, err, { email: 'email', name: 'name', role: 'role' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormModal
      form={form}
      busy={busy}
      error={error}
      open={open}
      title={t('account:users.invite')}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      okText={t('common:action.create')}
      forceRender
      width={560}
    >
      <Form<Invite>
        form={form}
        name="invite"
        layout="vertical"
        onFinish={submit}
        initialValues={{ role: 'viewer' }}
      >
        <Form.Item
          label={t('account:users.email')}
          name="email"
          rules={[{ required: true, type: 'email', message: t('account:users.emailRequired') }]}
        >
          <Input autoComplete="off" inputMode="email" maxLength={254} />
        </Form.Item>
        <Form.Item
          label={t('account:users.name')}
          name="name"
          rules={[{ required: true, whitespace: true, message: t('account:users.nameRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          label={t('account:users.role')}
          name="role"
          rules={[{ required: true, message: t('account:users.roleRequired') }]}
        >
          <Select options={roleOptions(t)} optionLabelProp="title" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

function ChangeRole({
  user,
  onClose,
  onSaved,
}: {
  user: TenantUser | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const value = role ?? user?.role ?? 'viewer';

  async function save() {
    if (!user) return;
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/v1/users/${encodeURIComponent(user.id)}`, { role: value });
      setRole(null);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={user !== null}
      title={`${t('account:users.changeRole')} · ${user?.name ?? ''}`}
      onCancel={() => {
        setRole(null);
        setError(null);
        onClose();
      }}
      okText={t('common:action.save')}
      cancelText={t('common:action.cancel')}
      confirmLoading={busy}
      okButtonProps={{ disabled: value === user?.role }}
      onOk={save}
      width={560}
    >
      <ProblemAlert error={error} />
      <Form layout="vertical" name="change-role">
        <Form.Item label={t('account:users.role')} htmlFor="change-role-select">
          <Select
            id="change-role-select"
            value={value}
            onChange={setRole}
            options={roleOptions(t)}
            optionLabelProp="title"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
