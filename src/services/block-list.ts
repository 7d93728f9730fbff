// The platform's block list: numbers no tenant may send to, kept by operators. Adding and
// removing are audited; the sending paths read the list through the compliance service.
import { DomainError } from '../core/errors.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import type { BlockedNumber, BlockListStore } from '../store/block-list.ts';
import type { ComplianceStore } from '../store/compliance.ts';

export type { BlockedNumber };

export interface BlockListDeps {
  blockList: BlockListStore;
  /** Where the sending paths' checks read the list (ComplianceStore.block adds to it). */
  compliance: ComplianceStore;
  audit: AuditStore;
}

/** In number order; `contains`: digits the number contains; `after`: the previous page's last. */
export function blockedNumbers(
  deps: Pick<BlockListDeps, 'blockList'>,
  page: { contains?: string; after?: string; limit: number },
): Promise<BlockedNumber[]> {
  return deps.blockList.list(page);
}

/** Blocking a number already blocked keeps its first reason. */
export async function blockNumber(
  deps: BlockListDeps,
  e164: string,
  reason: string,
  actor: Actor,
): Promise<void> {
  await deps.compliance.block(e164, reason);
  await deps.audit.record({
    tenantId: null,
    actor,
    action: 'block_list.added',
    targetType: 'number',
    targetId: e164,
    details: { reason },
  });
}

export async function unblockNumber(
  deps: BlockListDeps,
  e164: string,
  actor: Actor,
): Promise<void> {
  if (!(await deps.blockList.remove(e164)))
    throw new DomainError('not_found', `${e164} is not on the block list`);
  await deps.audit.record({
    tenantId: null,
    actor,
    action: 'block_list.removed',
    targetType: 'number',
    targetId: e164,
    details: {},
  });
}
