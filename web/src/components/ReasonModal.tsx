// A refusal that needs a reason (rejecting a recharge request, a signature, a template, …): a modal
// with one required text, the server's problem above it and on the field when it names `reason`.
import { useState } from 'react';
import { Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { markProblemField } from '../lib/form-problem.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

export function ReasonModal({
  open,
  name,
  title,
  label,
  hint,
  requiredMessage,
  okText,
  onSubmit,
  onClose,
}: {
  open: boolean;
  /** The form's name (its fields' ids: `<name>_reason`). */
  name: string;
  title: string;
  label: string;
  hint?: string;
  requiredMessage: string;
  okText: string;
  /** Sends the reason (trimmed); a rejection is shown in the modal, which stays open. */
  onSubmit: (reason: string) => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: { reason: string }) {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v.reason.trim());
    } catch (err) {
      markProblemField(form, err, ['reason']);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      okButtonProps={{ danger: true, loading: busy }}
      cancelText={t('common:action.cancel')}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form form={form} name={name} layout="vertical" onFinish={submit}>
        <Form.Item
          name="reason"
          label={label}
          extra={hint}
          rules={[{ required: true, whitespace: true, message: requiredMessage }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
