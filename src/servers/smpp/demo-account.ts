// The demo tenant's SMPP credentials: created once (system_id `demo`, a random password), kept
// in `<data dir>/demo-smpp.json` (mode 0600) — only its hash is in the database, so that file is
// the only place the password can be read back from, like demo-api-key.txt.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../security/passwords.ts';
import type { SmppAccountStore } from '../../store/smpp-accounts.ts';

export interface DemoSmpp {
  host: string;
  port: number;
  systemId: string;
  /** Null when the file is gone (the account exists; its password cannot be recovered). */
  password: string | null;
  file: string;
  /** True on the start that created the account. */
  created: boolean;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const DEMO_SYSTEM_ID = 'demo';

export async function ensureDemoSmpp(
  accounts: SmppAccountStore,
  opts: { tenantId: string; dataDir: string; host: string; port: number },
): Promise<DemoSmpp | null> {
  const file = join(opts.dataDir, 'demo-smpp.json');
  const existing = await accounts.bySystemId(DEMO_SYSTEM_ID);
  if (existing && existing.tenantId !== opts.tenantId) return null; // someone else's `demo`
  let password: string | null;
  let created = false;
  if (existing) {
    password = readPassword(file);
  } else {
    // SMPP 3.4 §5.2.2: password is a C-string of 9 octets, so 8 characters.
    password = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    await accounts.create({
      tenantId: opts.tenantId,
      systemId: DEMO_SYSTEM_ID,
      passwordHash: await hashPassword(password),
      bindTypes: ['transmitter', 'receiver', 'transceiver'],
      maxBinds: 4,
      throughput: 100,
    });
    created = true;
  }
  if (password !== null) {
    const body = { host: opts.host, port: opts.port, systemId: DEMO_SYSTEM_ID, password };
    writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  }
  return { host: opts.host, port: opts.port, systemId: DEMO_SYSTEM_ID, password, file, created };
}

function readPassword(file: string): string | null {
  if (!existsSync(file)) return null;
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as { password?: unknown };
    return typeof body.password === 'string' ? body.password : null;
  } catch {
    return null;
  }
}
