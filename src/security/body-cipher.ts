// Encryption at rest for what the contracts call confidential: message bodies and second-factor
// secrets. The store seals on write and opens on read, so nothing above it changes. Each sealed
// value is bound to its row (AES-GCM additional data = the row id) and carries its key id, so
// keys can rotate: new rows use the first key of the ring, old rows still open with theirs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptText, encryptText, parseKeyring, type Keyring } from './secret-box.ts';

export interface BodyCipher {
  readonly enabled: boolean;
  /** `keyId` is null when nothing was sealed (no keyring). */
  seal(text: string, rowId: string): { data: string; keyId: string | null };
  open(data: string, keyId: string | null, rowId: string): string;
}

export const plaintextCipher: BodyCipher = {
  enabled: false,
  seal: (text) => ({ data: text, keyId: null }),
  open: (data, keyId) => {
    if (keyId !== null)
      throw new Error(
        `this value is sealed with key ${keyId}, but no encryption keys are configured`,
      );
    return data;
  },
};

export function keyringCipher(keyring: Keyring): BodyCipher {
  return {
    enabled: true,
    seal(text, rowId) {
      const sealed = encryptText(keyring, text, rowId);
      return { data: sealed.data, keyId: sealed.keyId };
    },
    // Rows written before encryption was turned on have no key id and stay readable.
    open: (data, keyId, rowId) =>
      keyId === null ? data : decryptText(keyring, keyId, data, rowId),
  };
}

/** One column, no key-id column of its own: `keyId:data`, or the plain value when not sealed. */
export function sealToColumn(cipher: BodyCipher, text: string, rowId: string): string {
  const s = cipher.seal(text, rowId);
  return s.keyId === null ? s.data : `${s.keyId}:${s.data}`;
}

export function openColumn(cipher: BodyCipher, value: string, rowId: string): string {
  const i = value.indexOf(':');
  return i < 0 ? value : cipher.open(value.slice(i + 1), value.slice(0, i), rowId);
}

/**
 * The keyring in force: the configured one (HONGYAN_ENCRYPTION_KEYS, `k1:<base64 32 bytes>,…`,
 * first = current); on the embedded SQLite default, a key generated once into the data dir;
 * none on PostgreSQL unless configured (every node must share the keys).
 */
export function loadKeyring(
  spec: string | null,
  opts: { dataDir: string; embedded: boolean },
): { keyring: Keyring | null; source: 'config' | 'generated' | 'data-dir' | 'none' } {
  if (spec) return { keyring: parseKeyring(spec), source: 'config' };
  if (!opts.embedded) return { keyring: null, source: 'none' };
  const file = join(opts.dataDir, 'encryption-keys');
  if (existsSync(file))
    return { keyring: parseKeyring(readFileSync(file, 'utf8').trim()), source: 'data-dir' };
  const generated = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}:${randomBytes(32).toString('base64')}`;
  writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
  return { keyring: parseKeyring(generated), source: 'generated' };
}
