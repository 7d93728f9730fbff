// Content rules and the block list (内容规则与黑名单). Content rules are the prohibited-content
// terms every message is checked against (reject, or hold for review), kept as one list the API
// replaces whole (GET / PUT /v1/admin/content-rules). The block list holds numbers no tenant may
// send to (GET / POST / DELETE /v1/admin/block-list), paged and searched on the server.
import { useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tabs,
  Typography,
} from 'antd';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { CursorTable } from '../../components/CursorTable.tsx';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert, problemText } from '../../components/ProblemAlert.tsx';
import { useApi } from '../../lib/useApi.ts';
import { useCursorList } from '../../lib/useCursorList.ts';
import { formatDateTime } from '../../lib/format.ts';
import { fieldPath, markProblemField } from '../../lib/form-problem.ts';
import { EmptyText } from '../../components/EmptyText.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

// src/core/compliance/content-filter.ts
const CATEGORIES = [
  'politics',
  'pornography',
  'gambling',
  'violence',
  'fraud',
  'drugs',
  'weapons',
  'superstition',
  'other_illegal',
] as const;
const ACTIONS = ['reject', 'review'] as const;
const PAGE_SIZE = 20;

interface ContentRule {
  id: string;
  term: string;
  category: string;
  action: string;
}

interface Blocked {
  number: string;
  reason: string;
  createdAt: string;
}

export default function ContentRules() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle title={t('opRules:title')} />
      <Card>
        <Tabs
          items={[
            { key: 'rules', label: t('opRules:rules.tab'), children: <RulesTab /> },
            { key: 'block', label: t('opRules:block.tab'), children: <BlockListTab /> },
          ]}
        />
      </Card>
    </>
  );
}

function RulesTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const rules = useApi(
    (s) => api.get<{ data: ContentRule[] }>('/v1/admin/content-rules', undefined, s),
    [],
  );
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string | undefined>(undefined);
  const [editing, setEditing] = useState<ContentRule | null | undefined>(undefined);
  const [pageNo, setPageNo] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<ContentRule>();

  const all = rules.data?.data ?? [];
  const shown = useMemo(
    () =>
      all.filter(
        (r) =>
          (!category || r.category === category) &&
          (!search || r.term.toLowerCase().includes(search.trim().toLowerCase())),
      ),
    [all, category, search],
  );

  /** The whole list goes back to the server; it checks every rule and names the bad one. */
  async function replace(next: ContentRule[], edited?: number) {
    setSaving(true);
    setError(null);
    try {
      await api.put('/v1/admin/content-rules', { rules: next });
      rules.setData({ data: next });
      return true;
    } catch (err) {
      const path = err instanceof ApiError && err.field ? fieldPath(err.field) : [];
      // "rules[3].term" is the rule being edited: mark its field in the dialog.
      if (edited !== undefined && path[1] === edited)
        markProblemField(form, err, (p) => p.slice(2));
      setError(err);
      return false;
    } finally {
      setSaving(false);
    }
  }

  async function saveRule() {
    let v: ContentRule;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const rule = { ...v, term: v.term.trim(), id: editing?.id ?? `r-${Date.now().toString(36)}` };
    const index = editing ? all.findIndex((r) => r.id === editing.id) : all.length;
    const next = editing ? all.map((r) => (r.id === editing.id ? rule : r)) : [...all, rule];
    if (await replace(next, index)) {
      setEditing(undefined);
      if (!editing) {
        // A new rule is the last of the list: show its page.
        setSearch('');
        setCategory(undefined);
        setPageNo(Math.ceil(next.length / PAGE_SIZE));
      }
      void message.success(t('opRules:rules.saved'));
    }
  }

  async function removeRule(r: ContentRule) {
    if (await replace(all.filter((x) => x.id !== r.id)))
      void message.success(t('opRules:rules.removed'));
  }

  return (
    <>
      <Space wrap style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Space wrap>
          <Input.Search
            allowClear
            aria-label={t('opRules:rules.search')}
            placeholder={t('opRules:rules.search')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPageNo(1);
            }}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            aria-label={t('opRules:rules.category')}
            placeholder={t('opRules:rules.allCategories')}
            value={category}
            onChange={(c?: string) => {
              setCategory(c);
              setPageNo(1);
            }}
            style={{ width: 180 }}
            options={CATEGORIES.map((c) => ({ value: c, label: t(`opRules:category.${c}`) }))}
          />
        </Space>
        <Button
          type="primary"
          onClick={() => {
            setError(null);
            form.resetFields();
            form.setFieldsValue({ category: 'fraud', action: 'reject' });
            setEditing(null);
          }}
        >
          {t('opRules:rules.add')}
        </Button>
      </Space>
      {editing === undefined && <ProblemAlert error={error} />}
      <PageState loading={rules.loading} error={rules.error} onRetry={rules.reload}>
        <Typography.Paragraph type="secondary">
          {t('opRules:rules.help', { count: all.length })}
        </Typography.Paragraph>
        <Table<ContentRule>
          rowKey="id"
          data-testid="content-rules"
          dataSource={shown}
          locale={{ emptyText: <EmptyText>{t('opRules:rules.empty')}</EmptyText> }}
          pagination={{
            pageSize: PAGE_SIZE,
            current: pageNo,
            onChange: setPageNo,
            hideOnSinglePage: true,
            showSizeChanger: false,
          }}
          columns={[
            {
              title: t('opRules:rules.term'),
              dataIndex: 'term',
              render: (v: string) => <strong>{v}</strong>,
            },
            {
              title: t('opRules:rules.category'),
              dataIndex: 'category',
              render: (c: string) => t(`opRules:category.${c}`, { defaultValue: c }),
            },
            {
              title: t('opRules:rules.action'),
              dataIndex: 'action',
              render: (a: string) => (
                <ToneTag tone={a === 'reject' ? 'error' : 'warning'}>
                  {t(`opRules:action.${a}`, { defaultValue: a })}
                </ToneTag>
              ),
            },
            {
              title: t('opRules:col.actions'),
              dataIndex: 'ops',
              render: (_: unknown, r) => (
                <Space>
                  <Button
                    size="small"
                    onClick={() => {
                      setError(null);
                      form.resetFields();
                      form.setFieldsValue(r);
                      setEditing(r);
                    }}
                  >
                    {t('common:action.edit')}
                  </Button>
                  <Popconfirm
                    title={t('opRules:rules.removeConfirm', { term: r.term })}
                    okText={t('common:action.delete')}
                    cancelText={t('common:action.cancel')}
                    okButtonProps={{ danger: true }}
                    onConfirm={() => removeRule(r)}
                  >
                    <Button size="small" danger>
                      {t('common:action.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </PageState>
      <Modal
        open={editing !== undefined}
        title={editing ? t('opRules:rules.editTitle') : t('opRules:rules.addTitle')}
        onCancel={() => setEditing(undefined)}
        onOk={() => void saveRule()}
        okText={t('common:action.save')}
        cancelText={t('common:action.cancel')}
        confirmLoading={saving}
        forceRender
      >
        <ProblemAlert error={editing !== undefined ? error : null} />
        <Form form={form} layout="vertical" name="contentRule">
          <Form.Item
            name="term"
            label={t('opRules:rules.term')}
            extra={t('opRules:rules.termHelp')}
            rules={[{ required: true, whitespace: true, message: t('opRules:rules.termRequired') }]}
          >
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="category" label={t('opRules:rules.category')}>
            <Select
              options={CATEGORIES.map((c) => ({ value: c, label: t(`opRules:category.${c}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="action"
            label={t('opRules:rules.action')}
            extra={t('opRules:rules.actionHelp')}
          >
            <Select options={ACTIONS.map((a) => ({ value: a, label: t(`opRules:action.${a}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function BlockListTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const list = useCursorList<Blocked>('/v1/admin/block-list', { q });
  const [form] = Form.useForm<{ number: string; reason: string }>();
  const [error, setError] = useState<unknown>(null);
  const [adding, setAdding] = useState(false);

  async function add(v: { number: string; reason: string }) {
    setAdding(true);
    setError(null);
    try {
      await api.post('/v1/admin/block-list', { number: v.number.trim(), reason: v.reason.trim() });
      form.resetFields();
      void message.success(t('opRules:block.added'));
      list.first();
      list.reload();
    } catch (err) {
      setError(err);
      markProblemField(form, err, (p) => (p[0] === 'numbers' ? ['number'] : p));
    } finally {
      setAdding(false);
    }
  }

  async function remove(b: Blocked) {
    try {
      await api.delete(`/v1/admin/block-list/${encodeURIComponent(b.number)}`);
      void message.success(t('opRules:block.removed', { number: b.number }));
      list.reload();
    } catch (err) {
      const p = problemText(err, t);
      void message.error([p.title, p.detail].filter(Boolean).join(' · '));
    }
  }

  return (
    <>
      <Typography.Paragraph type="secondary">{t('opRules:block.help')}</Typography.Paragraph>
      <Form
        form={form}
        layout="inline"
        name="blockNumber"
        onFinish={(v) => void add(v)}
        style={{ marginBottom: 16 }}
      >
        <Form.Item
          name="number"
          label={t('opRules:block.number')}
          rules={[{ required: true, whitespace: true, message: t('opRules:block.numberRequired') }]}
        >
          <Input placeholder="13800138000" maxLength={32} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('opRules:block.reason')}
          rules={[{ required: true, whitespace: true, message: t('opRules:block.reasonRequired') }]}
        >
          <Input maxLength={500} style={{ width: 260 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={adding}>
            {t('opRules:block.add')}
          </Button>
        </Form.Item>
      </Form>
      <ProblemAlert error={error} />
      <Input.Search
        allowClear
        aria-label={t('opRules:block.search')}
        placeholder={t('opRules:block.search')}
        onSearch={(v) => setQ(v.trim())}
        style={{ width: 260, marginBottom: 12 }}
      />
      <CursorTable<Blocked>
        list={list}
        rowKey="number"
        data-testid="block-list"
        columns={[
          { title: t('opRules:block.number'), dataIndex: 'number' },
          { title: t('opRules:block.reason'), dataIndex: 'reason' },
          {
            title: t('opRules:block.createdAt'),
            dataIndex: 'createdAt',
            render: (v: string) => formatDateTime(v),
          },
          {
            title: t('opRules:col.actions'),
            dataIndex: 'ops',
            render: (_: unknown, b) => (
              <Popconfirm
                title={t('opRules:block.removeConfirm', { number: b.number })}
                okText={t('opRules:block.remove')}
                cancelText={t('common:action.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => remove(b)}
              >
                <Button size="small" danger>
                  {t('opRules:block.remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </>
  );
}
