// What a settled hold moves in the ledger. A message's hold (parts × price) is charged for the
// parts its tenant pays for (store/settlement.ts counts them by charge mode) and the rest is
// released: one charge and one release entry per batch, with the parts each stands for.

/** One message whose hold settled: its tenant and batch, what was held, what is charged. */
export interface SettledHold {
  tenantId: string;
  batchId: string;
  /** Held at acceptance: parts × price (minor units). */
  amount: number;
  /** Charged now: paid parts × price. */
  charged: number;
  price: number;
}

/** A batch's share of a settlement: the ledger's charge and release, in minor units and parts. */
export interface BatchSettlement {
  tenantId: string;
  batchId: string;
  charge: number;
  release: number;
  chargedParts: number;
  releasedParts: number;
}

/** Sum settled holds per batch, in the order the batches first appear. */
export function settleByBatch(holds: Iterable<SettledHold>): BatchSettlement[] {
  const byBatch = new Map<string, BatchSettlement>();
  for (const h of holds) {
    const key = `${h.tenantId} ${h.batchId}`;
    let b = byBatch.get(key);
    if (!b) {
      b = {
        tenantId: h.tenantId,
        batchId: h.batchId,
        charge: 0,
        release: 0,
        chargedParts: 0,
        releasedParts: 0,
      };
      byBatch.set(key, b);
    }
    b.charge += h.charged;
    b.release += h.amount - h.charged;
    // A price of zero holds nothing: no parts to count.
    if (h.price > 0) {
      b.chargedParts += h.charged / h.price;
      b.releasedParts += (h.amount - h.charged) / h.price;
    }
  }
  return [...byBatch.values()];
}
