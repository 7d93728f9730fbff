// Which message.status events an endpoint or a per-message callbackUrl wants, in the spirit of
// Kannel's dlr-mask: everything (the default), only the final status, or a chosen set.
import { FINAL_STATUSES, isFinal, MESSAGE_STATUSES } from '../message/status.ts';

/** `all`, `final` (any final status), or one status by name. */
export const STATUS_SELECTORS = ['all', 'final', ...MESSAGE_STATUSES] as const;
export type StatusSelector = (typeof STATUS_SELECTORS)[number];

export function isStatusSelector(value: string): value is StatusSelector {
  return (STATUS_SELECTORS as readonly string[]).includes(value);
}

/**
 * The selection as stored: null for everything; else the selectors, unique, in the order of
 * STATUS_SELECTORS, comma-joined. `final` absorbs the final statuses named beside it.
 */
export function storedSelection(selectors: readonly StatusSelector[]): string | null {
  const set = new Set(selectors);
  if (set.size === 0 || set.has('all')) return null;
  if (set.has('final')) for (const s of FINAL_STATUSES) set.delete(s);
  return STATUS_SELECTORS.filter((s) => set.has(s)).join(',');
}

/** What a stored selection reads as in the API (`['all']` for null). */
export function selectionView(stored: string | null): StatusSelector[] {
  if (stored === null || stored === '') return ['all'];
  return stored.split(',').filter(isStatusSelector);
}

/** Does a stored selection want an event of this message status? */
export function wantsStatus(stored: string | null, status: string): boolean {
  if (stored === null || stored === '') return true;
  const selected = stored.split(',');
  return selected.includes(status) || (isFinal(status) && selected.includes('final'));
}
