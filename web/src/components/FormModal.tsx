// A form in a modal (create a key, invite a user, submit a signature…): OK submits the form, the
// spinner shows while it is sent (useFormSubmit's `busy`), and the server's problem shows above
// the form. Everything else a Modal takes (title, okText, width, forceRender…) passes through.
import type { ReactNode } from 'react';
import { Modal, type FormInstance, type ModalProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from './ProblemAlert.tsx';

export function FormModal({
  form,
  busy,
  error,
  children,
  ...modal
}: Omit<ModalProps, 'onOk' | 'confirmLoading' | 'children'> & {
  form: FormInstance;
  busy: boolean;
  error: unknown;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      cancelText={t('common:action.cancel')}
      {...modal}
      confirmLoading={busy}
      onOk={() => form.submit()}
    >
      <ProblemAlert error={error} />
      {children}
    </Modal>
  );
}
