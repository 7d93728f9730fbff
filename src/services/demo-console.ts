// The demo's console logins: a tenant owner for the Demo tenant and an operator admin, each with a
// random password, created once and kept in `<data dir>/demo-console.json` (mode 0600) like the
// demo API key — the database holds only their hashes. Printed on the start that creates them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, type AccountDeps } from './accounts.ts';
import { generatePassword } from '../security/passwords.ts';

export interface DemoLogin {
  email: string;
  /** Null when the file is gone: the user exists, its password cannot be read back. */
  password: string | null;
}

export interface DemoConsole {
  file: string;
  created: boolean;
  tenant: DemoLogin;
  operator: DemoLogin;
}

export const DEMO_TENANT_EMAIL = 'demo@hongyan.local';
export const DEMO_OPERATOR_EMAIL = 'admin@hongyan.local';

/**
 * `create`: make missing logins (true only on the start that created the demo tenant, so an
 * install that turns the demo on later, or upgrades with it on, gains no operator admin it never
 * asked for). Otherwise only the logins that exist are reported; null when there are none.
 */
export async function ensureDemoConsole(
  deps: AccountDeps,
  opts: { tenantId: string; dataDir: string; create: boolean },
): Promise<DemoConsole | null> {
  const file = join(opts.dataDir, 'demo-console.json');
  const saved = readSaved(file);
  const system = { type: 'system' as const, id: null, ip: null };
  let created = false;
  if (
    !opts.create &&
    !(await deps.users.emailTaken(DEMO_TENANT_EMAIL)) &&
    !(await deps.users.emailTaken(DEMO_OPERATOR_EMAIL))
  )
    return null;
  const ensure = async (
    email: string,
    tenantId: string | null,
    role: string,
    name: string,
  ): Promise<DemoLogin> => {
    if ((await deps.users.emailTaken(email)) || !opts.create)
      return { email, password: saved[email] ?? null };
    const password = generatePassword({ email, name });
    await createUser(deps, { tenantId, email, name, role, password }, system);
    created = true;
    saved[email] = password;
    return { email, password };
  };
  const tenant = await ensure(DEMO_TENANT_EMAIL, opts.tenantId, 'owner', '演示用户');
  const operator = await ensure(DEMO_OPERATOR_EMAIL, null, 'admin', '平台管理员');
  if (created) writeFileSync(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  return { file, created, tenant, operator };
}

function readSaved(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
