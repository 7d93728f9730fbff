// Ids are prefixed, sortable strings (ULID: time-ordered, 26 chars): msg_01J…, bat_01J…
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export type IdPrefix =
  | 'msg'
  | 'bat'
  | 'ten'
  | 'key'
  | 'inb'
  | 'usr'
  | 'ses'
  | 'smp'
  | 'con'
  | 'sig'
  | 'tpl'
  | 'rev'
  | 'cr';

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${next(now)}`;
}

const ID_SHAPE = /^(msg|bat|ten|key|inb|usr|ses|smp|con|sig|tpl|rev|cr)_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Cheap shape check before touching the store: a malformed id is simply not found. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return ID_SHAPE.test(value) && value.startsWith(prefix + '_');
}
