// The tenant's extension code: the digits after the service number that route replies (上行) to
// it, the full reply addresses, and (for roles that may) changing the code.
import { App, Button, Descriptions, Form, Input, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { useSession } from '../../../api/session.tsx';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { useApi } from '../../../lib/useApi.ts';
import { formatDateTime } from '../../../lib/format.ts';
import { useFormSubmit } from '../../../lib/form-problem.ts';
import type { TenantDetail } from './types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

interface Extension {
  tenantId: string;
  extension: string | null;
  assignedBy: 'auto' | 'operator' | null;
  updatedAt: string | null;
  replyAddresses: string[];
}

export function ExtensionTab({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const path = `/v1/admin/tenants/${tenant.id}/extension`;
  const ext = useApi((signal) => api.get<Extension>(path, undefined, signal), [path]);
  const [form] = Form.useForm<{ extension: string }>();
  const { submit, busy, error } = useFormSubmit(
    form,
    ['extension'],
    async (v: { extension: string }) => {
      ext.setData(await api.put<Extension>(path, { extension: v.extension.trim() }));
      void message.success(t('opTenants:extension.saved'));
    },
  );

  return (
    <PageState loading={ext.loading && !ext.data} error={ext.error} onRetry={ext.reload}>
      {ext.data ? (
        <>
          <Descriptions
            bordered
            size="small"
            column={1}
            items={[
              {
                key: 'code',
                label: t('opTenants:extension.code'),
                children: ext.data.extension ?? '—',
              },
              {
                key: 'by',
                label: t('opTenants:extension.assignedBy'),
                children: ext.data.assignedBy
                  ? t(`opTenants:extension.by.${ext.data.assignedBy}`)
                  : '—',
              },
              {
                key: 'addresses',
                label: t('opTenants:extension.replyAddresses'),
                children:
                  ext.data.replyAddresses.length === 0
                    ? '—'
                    : ext.data.replyAddresses.map((a) => <ToneTag key={a}>{a}</ToneTag>),
              },
              {
                key: 'updated',
                label: t('opTenants:extension.updatedAt'),
                children: formatDateTime(ext.data.updatedAt),
              },
            ]}
          />
          {session.can('admin.tenants.status') ? (
            <div style={{ marginTop: 16 }}>
              <ProblemAlert error={error} />
              <Form
                form={form}
                name="extension"
                layout="inline"
                onFinish={submit}
                initialValues={{ extension: ext.data.extension ?? '' }}
              >
                <Form.Item
                  name="extension"
                  label={t('opTenants:extension.newCode')}
                  extra={t('opTenants:extension.hint')}
                  rules={[
                    { required: true, pattern: /^\d+$/, message: t('opTenants:extension.digits') },
                  ]}
                >
                  <Input inputMode="numeric" maxLength={32} style={{ width: 180 }} />
                </Form.Item>
                <Form.Item>
                  <Space>
                    <Button type="primary" htmlType="submit" loading={busy}>
                      {t('common:action.save')}
                    </Button>
                  </Space>
                </Form.Item>
              </Form>
            </div>
          ) : null}
        </>
      ) : null}
    </PageState>
  );
}
