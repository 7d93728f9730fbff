// Ids are prefixed, sortable strings (ULID: time-ordered, 26 chars): msg_01J…, bat_01J…
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

const PREFIXES = [
  'msg',
  'bat',
  'ten',
  'key',
  'inb',
  'usr',
  'ses',
  'smp',
  'con',
  'sig',
  'tpl',
  'rev',
  'cr',
  'inc',
  'whk',
  'dlv',
  'ann',
  'rcr',
] as const;
export type IdPrefix = (typeof PREFIXES)[number];

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${next(now)}`;
}

const ID_SHAPE = new RegExp(`^(${PREFIXES.join('|')})_[0-9A-HJKMNP-TV-Z]{26}$`);

/** Cheap shape check before touching the store: a malformed id is simply not found. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return ID_SHAPE.test(value) && value.startsWith(prefix + '_');
}
