// Operator staff (运营人员): who may run the platform and in which role. Adding someone or
// resetting a password shows a temporary password once (to be changed at first login); a
// locked-out account can be unlocked.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useApi } from '../../lib/useApi.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useFormSubmit } from '../../lib/form-problem.ts';
import { TemporaryPassword, UserActions } from './tenants/UserActions.tsx';
import type { UserRow } from './tenants/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

const ROLES = ['admin', 'reviewer', 'finance', 'support'] as const;

export default function Staff() {
  const { t } = useTranslation();
  const users = useApi(
    (signal) => api.get<{ data: UserRow[] }>('/v1/admin/users', undefined, signal),
    [],
  );
  const [open, setOpen] = useState(false);
  const [temporary, setTemporary] = useState<string | null>(null);

  return (
    <>
      <PageTitle
        title={t('opAudit:staff.title')}
        extra={
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('opAudit:staff.add')}
          </Button>
        }
      />
      <Card>
        <PageState
          loading={users.loading && !users.data}
          error={users.error}
          onRetry={users.reload}
        >
          <Table<UserRow>
            rowKey="id"
            dataSource={users.data?.data ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('opAudit:staff.name'), dataIndex: 'name' },
              { title: t('opAudit:staff.email'), dataIndex: 'email' },
              {
                title: t('opAudit:staff.role'),
                dataIndex: 'role',
                render: (r: string) => t(`common:roles.${r}`, { defaultValue: r }),
              },
              {
                title: t('opAudit:staff.status'),
                key: 'status',
                render: (_: unknown, u) => (
                  <Space size={4} wrap>
                    <ToneTag tone={u.status === 'active' ? 'success' : 'default'}>
                      {t(`opAudit:staff.userStatus.${u.status}`, { defaultValue: u.status })}
                    </ToneTag>
                    {u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now() ? (
                      <ToneTag tone="error">{t('opAudit:staff.locked')}</ToneTag>
                    ) : null}
                    {u.mustChangePassword ? (
                      <ToneTag tone="warning">{t('opAudit:staff.mustChange')}</ToneTag>
                    ) : null}
                    {u.totpEnabled ? <ToneTag tone="processing">2FA</ToneTag> : null}
                  </Space>
                ),
              },
              {
                title: t('opAudit:staff.lastLogin'),
                dataIndex: 'lastLoginAt',
                render: (v: string | null) => formatDateTime(v),
              },
              {
                title: t('opAudit:staff.actions'),
                key: 'actions',
                render: (_: unknown, u) => <UserActions user={u} onChanged={users.reload} />,
              },
            ]}
          />
        </PageState>
      </Card>
      <AddModal
        open={open}
        onClose={() => setOpen(false)}
        onDone={(password) => {
          setOpen(false);
          setTemporary(password);
          users.reload();
        }}
      />
      <TemporaryPassword password={temporary} onClose={() => setTemporary(null)} />
    </>
  );
}

interface AddFields {
  email: string;
  name: string;
  role: (typeof ROLES)[number];
}

function AddModal({
  open,
  onClose,
  onDone,
}: {
  open: boolean;
  onClose: () => void;
  onDone: (temporaryPassword: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<AddFields>();
  const { submit, busy, error, setError } = useFormSubmit(
    form,
    ['email', 'name', 'role'],
    async (v: AddFields) => {
      const r = await api.post<{ temporaryPassword: string }>('/v1/admin/users', {
        email: v.email.trim(),
        name: v.name.trim(),
        role: v.role,
      });
      void message.success(t('opAudit:staff.added'));
      form.resetFields();
      onDone(r.temporaryPassword);
    },
  );

  return (
    <Modal
      open={open}
      title={t('opAudit:staff.add')}
      okText={t('common:action.create')}
      cancelText={t('common:action.cancel')}
      okButtonProps={{ loading: busy }}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<AddFields>
        form={form}
        name="staff"
        layout="vertical"
        onFinish={submit}
        initialValues={{ role: 'support' }}
      >
        <Form.Item
          name="email"
          label={t('opAudit:staff.email')}
          rules={[{ required: true, type: 'email', message: t('opAudit:staff.emailInvalid') }]}
        >
          <Input maxLength={254} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('opAudit:staff.name')}
          rules={[{ required: true, whitespace: true, message: t('opAudit:staff.nameRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="role" label={t('opAudit:staff.role')} extra={t('opAudit:staff.roleHint')}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
