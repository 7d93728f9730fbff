// The demo tenant's SMPP credentials: created once (system_id `demo`, a random password), kept
// in `<data dir>/demo-smpp.json` (mode 0600) — only its hash is in the database, so that file is
// the only place the password can be read back from, like demo-api-key.txt. The same account
// logs in to the CMPP server (docs/cmpp.md) with a CMPP secret, also kept in that file
// (`cmppSecret`, `cmppPort`); the database holds it sealed.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../security/passwords.ts';
import type { SmppAccountStore } from '../store/smpp-accounts.ts';

export interface DemoSmpp {
  host: string;
  port: number;
  systemId: string;
  /** Null when the file is gone (the account exists; its password cannot be recovered). */
  password: string | null;
  file: string;
  /** True on the start that created the account. */
  created: boolean;
  /** The CMPP server's port and the account's CMPP secret (null: not known, see `file`). */
  cmppPort: number | null;
  cmppSecret: string | null;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const DEMO_SYSTEM_ID = 'demo';

export async function ensureDemoSmpp(
  accounts: SmppAccountStore,
  opts: { tenantId: string; dataDir: string; host: string; port: number; cmppPort?: number | null },
): Promise<DemoSmpp | null> {
  const file = join(opts.dataDir, 'demo-smpp.json');
  const existing = await accounts.bySystemId(DEMO_SYSTEM_ID);
  if (existing && existing.tenantId !== opts.tenantId) return null; // someone else's `demo`
  let password: string | null;
  let cmppSecret: string | null;
  let created = false;
  if (existing) {
    password = readField(file, 'password');
    cmppSecret = readField(file, 'cmppSecret');
    // Accounts from before CMPP: give it a secret now (its password stays as it was).
    if (!existing.cmpp || cmppSecret === null) {
      cmppSecret = randomSecret(12);
      await accounts.setCmppSecret(opts.tenantId, existing.id, cmppSecret);
    }
  } else {
    // SMPP 3.4 §5.2.2: password is a C-string of 9 octets, so 8 characters.
    password = randomSecret(8);
    cmppSecret = randomSecret(12);
    await accounts.create({
      tenantId: opts.tenantId,
      systemId: DEMO_SYSTEM_ID,
      passwordHash: await hashPassword(password),
      bindTypes: ['transmitter', 'receiver', 'transceiver'],
      maxBinds: 4,
      throughput: 100,
      cmppSecret,
    });
    created = true;
  }
  const cmppPort = opts.cmppPort ?? null;
  if (password !== null || cmppSecret !== null) {
    const body = {
      host: opts.host,
      port: opts.port,
      systemId: DEMO_SYSTEM_ID,
      password,
      ...(cmppPort !== null ? { cmppPort } : {}),
      cmppSecret,
    };
    writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  }
  return {
    host: opts.host,
    port: opts.port,
    systemId: DEMO_SYSTEM_ID,
    password,
    file,
    created,
    cmppPort,
    cmppSecret,
  };
}

function randomSecret(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

function readField(file: string, field: 'password' | 'cmppSecret'): string | null {
  if (!existsSync(file)) return null;
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const v = body[field];
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
