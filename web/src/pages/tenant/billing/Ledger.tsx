// The ledger (收支明细): every change to the balance, newest first, paged on the server
// (GET /v1/ledger?kind=&before=), kinds as coloured tags, amounts signed.
import { useState } from 'react';
import { Select, Space, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import type { Money } from '../../../api/client.ts';
import { CursorTable } from '../../../components/CursorTable.tsx';
import { formatDateTime, formatMoney, formatNumber } from '../../../lib/format.ts';
import { useBeforeList } from '../../../lib/useCursorList.ts';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

const KINDS = ['recharge', 'hold', 'release', 'charge', 'refund', 'fee', 'adjustment'] as const;
const KIND_TONE: Record<string, Tone> = {
  recharge: 'success',
  hold: 'warning',
  release: 'cyan',
  charge: 'processing',
  refund: 'purple',
  fee: 'magenta',
  adjustment: 'gold',
};

interface Entry {
  id: number;
  kind: string;
  amount: Money;
  heldChange: Money;
  availableAfter: Money;
  heldAfter: Money;
  reason: string;
  reference: string | null;
  batchId: string | null;
  parts: number | null;
  paymentReference: string | null;
  createdAt: string;
}

/** "+¥1,000.00", "-¥0.045", "¥0.00": the sign always shown, the number formatted. */
export function SignedMoney({ value }: { value: Money }) {
  const negative = value.amount.startsWith('-');
  const zero = /^-?0*(\.0*)?$/.test(value.amount);
  const text = formatMoney(value);
  return (
    <Typography.Text type={zero ? 'secondary' : negative ? 'danger' : 'success'}>
      {zero || negative ? text : `+${text}`}
    </Typography.Text>
  );
}

export function Ledger() {
  const { t } = useTranslation();
  const [kind, setKind] = useState('');
  const list = useBeforeList<Entry>('/v1/ledger', { kind: kind || undefined });

  const columns: ColumnsType<Entry> = [
    {
      title: t('billing:ledger.createdAt'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('billing:ledger.kind'),
      dataIndex: 'kind',
      width: 100,
      render: (v: string) => (
        <ToneTag tone={KIND_TONE[v] ?? 'default'}>
          {t(`billing:ledger.kinds.${v}`, { defaultValue: v })}
        </ToneTag>
      ),
    },
    {
      title: t('billing:ledger.amount'),
      dataIndex: 'amount',
      align: 'right',
      render: (v: Money) => <SignedMoney value={v} />,
    },
    {
      title: t('billing:ledger.heldChange'),
      dataIndex: 'heldChange',
      align: 'right',
      render: (v: Money) => <SignedMoney value={v} />,
    },
    {
      title: t('billing:ledger.availableAfter'),
      dataIndex: 'availableAfter',
      align: 'right',
      render: (v: Money) => formatMoney(v),
    },
    {
      title: t('billing:ledger.parts'),
      dataIndex: 'parts',
      align: 'right',
      width: 90,
      render: (v: number | null) => formatNumber(v),
    },
    { title: t('billing:ledger.reason'), dataIndex: 'reason' },
    {
      title: t('billing:ledger.reference'),
      key: 'reference',
      render: (_, e) => e.paymentReference ?? e.batchId ?? e.reference ?? '—',
    },
  ];

  return (
    <>
      <Space style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('billing:ledger.kindFilter')}
          style={{ width: 180 }}
          value={kind}
          onChange={setKind}
          options={[
            { value: '', label: t('billing:ledger.allKinds') },
            ...KINDS.map((k) => ({ value: k, label: t(`billing:ledger.kinds.${k}`) })),
          ]}
        />
      </Space>
      <CursorTable<Entry> list={list} rowKey="id" columns={columns} data-testid="ledger" />
    </>
  );
}
