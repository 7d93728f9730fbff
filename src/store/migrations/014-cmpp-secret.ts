import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// The tenant-facing CMPP server (docs/cmpp.md). A CMPP login is an SMPP account
// (smpp_accounts.system_id = Source_Addr), but CMPP's CONNECT authenticator is an MD5 over the
// clear shared secret, which the SMPP password hash cannot give: `cmpp_secret` holds it, sealed
// with the body cipher and bound to the account id (security/body-cipher.ts sealToColumn);
// null = the account cannot log in over CMPP.
// cmpp_msg_ids: the CMPP Msg_Ids an SP was answered for one Hongyan message (one per SUBMIT it
// sent for it: one, or one per part of a long message), as comma-separated 16-digit hex, in part
// order; its status reports carry them. Written before the message is accepted, so a report can
// never be read before its ids exist.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('smpp_accounts').addColumn('cmpp_secret', 'text').execute();
  await db.schema
    .createTable('cmpp_msg_ids')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('msg_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
