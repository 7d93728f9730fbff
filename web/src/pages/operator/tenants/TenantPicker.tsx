// Tenants by name, id or email: a select that searches GET /v1/admin/tenants as one types, and a
// link that shows a tenant's name where an API row carries only its id.
import { useEffect, useRef, useState } from 'react';
import { Select, Spin } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, type Page } from '../../../api/client.ts';
import type { TenantRow } from './types.ts';

// One lookup per id for the whole visit: many rows name the same few tenants.
const names = new Map<string, Promise<string | null>>();

function nameOf(id: string): Promise<string | null> {
  let p = names.get(id);
  if (!p) {
    p = api
      .get<Page<TenantRow>>('/v1/admin/tenants', { q: id, limit: 1 })
      .then((page) => page.data.find((r) => r.id === id)?.name ?? null)
      .catch(() => null);
    names.set(id, p);
  }
  return p;
}

/** The tenant's name (its id until known, and as a tooltip), linking to its page. */
export function TenantLink({ id, name }: { id: string | null; name?: string | null }) {
  const [known, setKnown] = useState<string | null>(name ?? null);
  useEffect(() => {
    if (!id || name) return;
    let live = true;
    void nameOf(id).then((n) => live && setKnown(n));
    return () => {
      live = false;
    };
  }, [id, name]);
  if (!id) return <>—</>;
  return (
    <Link to={`/admin/tenants/${id}`} title={id}>
      {known ?? id}
    </Link>
  );
}

interface PickerProps {
  value?: string | string[];
  onChange?: (v: string | string[] | undefined) => void;
  multiple?: boolean;
  id?: string;
  'aria-label'?: string;
  style?: React.CSSProperties;
}

/** A tenant select (one or several) that searches as one types. Works inside Form.Item. */
export function TenantPicker({ value, onChange, multiple, id, style, ...rest }: PickerProps) {
  const { t } = useTranslation();
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([]);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);

  const search = (q: string) => {
    const n = ++seq.current;
    setLoading(true);
    api
      .get<Page<TenantRow>>('/v1/admin/tenants', { q: q.trim() || undefined, limit: 20 })
      .then((page) => {
        if (n !== seq.current) return;
        setOptions(page.data.map((r) => ({ value: r.id, label: `${r.name} (${r.id})` })));
      })
      .catch(() => n === seq.current && setOptions([]))
      .finally(() => n === seq.current && setLoading(false));
  };

  useEffect(() => search(''), []);

  return (
    <Select
      id={id}
      aria-label={rest['aria-label'] ?? t('opTenants:picker.label')}
      mode={multiple ? 'multiple' : undefined}
      allowClear
      showSearch={{ filterOption: false, onSearch: search }}
      placeholder={t('opTenants:picker.placeholder')}
      notFoundContent={loading ? <Spin size="small" /> : t('common:state.empty')}
      options={options}
      value={value}
      onChange={(v) => onChange?.(v)}
      style={{ minWidth: 260, ...style }}
    />
  );
}
