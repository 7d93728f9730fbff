// A tenant's lifecycle (contract 2 clauses 5 and 10, annex 7): registered tenants wait for an
// operator's approval; suspended ones can log in and read but not send; terminated is final.
import { DomainError } from '../errors.ts';

export const TENANT_STATUSES = ['pending', 'active', 'suspended', 'terminated'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

const moves: Record<TenantStatus, readonly TenantStatus[]> = {
  pending: ['active', 'terminated'],
  active: ['suspended', 'terminated'],
  suspended: ['active', 'terminated'],
  terminated: [],
};

export function isTenantStatus(value: string): value is TenantStatus {
  return (TENANT_STATUSES as readonly string[]).includes(value);
}

export function checkTenantMove(from: string, to: string): void {
  if (!isTenantStatus(to))
    throw new DomainError(
      'invalid_request',
      `"${to}" is not a tenant status (${TENANT_STATUSES.join(', ')})`,
    );
  if (!isTenantStatus(from) || !moves[from].includes(to)) {
    throw new DomainError('invalid_transition', `a ${from} tenant cannot become ${to}`, {
      from,
      to,
    });
  }
}

/** Every sending path (HTTP, SMPP, console, campaigns) asks this first. */
export function assertCanSend(status: string): void {
  switch (status) {
    case 'active':
      return;
    case 'pending':
      throw new DomainError(
        'tenant_pending',
        'this account is waiting for approval by the operator and cannot send yet',
      );
    case 'suspended':
      throw new DomainError(
        'tenant_suspended',
        'this account is suspended and cannot send; contact the operator',
      );
    default:
      throw new DomainError('tenant_terminated', 'this account is terminated');
  }
}

/** A tenant's own termination takes effect after at most 24 hours (annex 7). */
export const SELF_TERMINATION_MAX_DELAY_MS = 24 * 3600 * 1000;
