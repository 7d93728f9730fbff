// Price plans: one per tenant, or the default one (tenant_id null).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { PriceRule } from '../core/billing/rating.ts';

export interface PricePlan {
  id: string;
  tenantId: string | null;
  rules: PriceRule[];
  currency: string;
  updatedAt: number;
}

export class PricePlanStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The tenant's own plan, else the default plan. */
  async planFor(tenantId: string): Promise<PricePlan | undefined> {
    const rows = await this.db
      .selectFrom('price_plans')
      .selectAll()
      .where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('tenant_id', 'is', null)]))
      .execute();
    const row =
      rows.find((r) => r.tenant_id === tenantId) ?? rows.find((r) => r.tenant_id === null);
    return (
      row && {
        id: row.id,
        tenantId: row.tenant_id,
        rules: JSON.parse(row.rules) as PriceRule[],
        currency: row.currency,
        updatedAt: row.updated_at,
      }
    );
  }

  /** Replace a tenant's plan (or, with null, the default plan). */
  async set(tenantId: string | null, rules: PriceRule[], currency: string): Promise<void> {
    const id = tenantId ? `plan_${tenantId}` : 'plan_default';
    const now = Date.now();
    await this.db
      .insertInto('price_plans')
      .values({ id, tenant_id: tenantId, rules: JSON.stringify(rules), currency, updated_at: now })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ rules: JSON.stringify(rules), currency, updated_at: now }),
      )
      .execute();
  }

  async hasDefault(): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('price_plans')
        .select('id')
        .where('tenant_id', 'is', null)
        .executeTakeFirst()) !== undefined
    );
  }
}
