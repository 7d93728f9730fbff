// A tenant's API keys: created with a kind (live or test), scopes and an optional IP allow-list,
// shown once, stored hashed (store/tenants.ts), revoked for good. Both are audited.
import { DomainError } from '../core/errors.ts';
import { isKeyScope, isValidAllowEntry } from '../core/security/access.ts';
import type { AccountDeps, Actor, ApiKeyRecord } from './accounts.ts';

export async function createApiKey(
  deps: AccountDeps,
  tenantId: string,
  input: { name?: unknown; kind?: unknown; scopes?: unknown; ipAllow?: unknown },
  actor: Actor,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const name =
    typeof input.name === 'string' && input.name.trim()
      ? input.name.trim().slice(0, 100)
      : 'API key';
  const kind = input.kind === undefined ? 'live' : input.kind;
  if (kind !== 'live' && kind !== 'test')
    throw new DomainError('invalid_request', 'kind must be "live" or "test"', { field: 'kind' });
  const scopes = input.scopes === undefined ? ['send', 'read'] : input.scopes;
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    !scopes.every((s) => typeof s === 'string' && isKeyScope(s))
  ) {
    throw new DomainError(
      'invalid_request',
      'scopes must be a non-empty list of send, read, manage',
      { field: 'scopes' },
    );
  }
  const ipAllow = input.ipAllow === undefined ? [] : input.ipAllow;
  if (
    !Array.isArray(ipAllow) ||
    !ipAllow.every((s) => typeof s === 'string' && isValidAllowEntry(s))
  ) {
    throw new DomainError(
      'invalid_request',
      'ipAllow must be a list of IP addresses or IPv4 CIDR ranges',
      { field: 'ipAllow' },
    );
  }
  const created = await deps.tenants.createApiKey(tenantId, name, {
    kind,
    scopes: [...new Set(scopes as string[])],
    ipAllow: ipAllow as string[],
    ...(actor.id ? { createdBy: actor.id } : {}),
  });
  await deps.audit.record({
    tenantId,
    actor,
    action: 'api_key.created',
    targetType: 'api_key',
    targetId: created.record.id,
    details: { kind, scopes },
  });
  return created;
}

export async function revokeApiKey(
  deps: AccountDeps,
  tenantId: string,
  keyId: string,
  actor: Actor,
): Promise<void> {
  if (!(await deps.tenants.revokeApiKey(tenantId, keyId)))
    throw new DomainError('not_found', `no active API key ${keyId}`);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'api_key.revoked',
    targetType: 'api_key',
    targetId: keyId,
  });
}
