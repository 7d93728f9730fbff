// Operator actions on one console user (staff or a tenant's): reset the password — the temporary
// one is shown once, here, and never again — and lift a lock-out.
import { useState } from 'react';
import { App, Button, Popconfirm, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { problemText } from '../../../components/ProblemAlert.tsx';
import { SecretOnce } from '../../../components/SecretOnce.tsx';
import type { UserRow } from './types.ts';

export function UserActions({ user, onChanged }: { user: UserRow; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [temporary, setTemporary] = useState<string | null>(null);
  const locked = user.lockedUntil !== null && new Date(user.lockedUntil).getTime() > Date.now();

  const fail = (err: unknown) => {
    const p = problemText(err, t);
    void message.error([p.title, p.detail].filter(Boolean).join(' · '));
  };

  return (
    <Space size="small">
      <Popconfirm
        title={t('opAudit:staff.resetConfirm', { name: user.name })}
        okText={t('common:action.confirm')}
        cancelText={t('common:action.cancel')}
        onConfirm={() =>
          api
            .post<{ temporaryPassword: string }>(`/v1/admin/users/${user.id}/reset-password`)
            .then((r) => {
              setTemporary(r.temporaryPassword);
              onChanged();
            })
            .catch(fail)
        }
      >
        <Button size="small">{t('opAudit:staff.reset')}</Button>
      </Popconfirm>
      {locked ? (
        <Button
          size="small"
          onClick={() =>
            api
              .post(`/v1/admin/users/${user.id}/unlock`)
              .then(() => {
                void message.success(t('opAudit:staff.unlocked'));
                onChanged();
              })
              .catch(fail)
          }
        >
          {t('opAudit:staff.unlock')}
        </Button>
      ) : null}
      <TemporaryPassword password={temporary} onClose={() => setTemporary(null)} />
    </Space>
  );
}

/** A temporary password, shown once (components/SecretOnce.tsx). */
export function TemporaryPassword({
  password,
  onClose,
}: {
  password: string | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <SecretOnce
      secret={
        password === null
          ? null
          : {
              title: t('opAudit:staff.temporaryTitle'),
              hint: t('opAudit:staff.temporaryHint'),
              items: [
                {
                  label: t('opAudit:staff.temporaryTitle'),
                  value: password,
                  testId: 'temporary-password',
                },
              ],
            }
      }
      onClose={onClose}
    />
  );
}
