import type { BatchState, StageContext } from '../ingest/pipeline/types.js';
import { key } from '../ingest/pipeline/types.js';
import { linkKeyFor } from './identity.keys.js';

/**
 * Automatic linking, run by the identify stage after it created identities for first contacts:
 * a new identity whose identifier is verified by its channel (see `linkKeyFor`) joins the
 * customer that already owns a verified identity with the same key (an SMS number that later
 * writes on WhatsApp, an email address seen on email and web chat) instead of starting a new
 * customer. Nothing else links automatically; probable matches are only suggested.
 * One query per batch.
 */
export async function linkVerifiedIdentities(
  batch: BatchState,
  ctx: StageContext,
  /**
   * Ids of new identities whose address their channel does not vouch for (an e-mail's Reply-To,
   * `author.addressUnverified`): no key, so they link to nobody and nobody links to them.
   */
  unverified: ReadonlySet<string> = new Set(),
): Promise<void> {
  const keyed = new Map<string, (typeof batch.newIdentities)[number][]>();
  for (const ident of batch.newIdentities) {
    const k = unverified.has(ident.id)
      ? null
      : linkKeyFor(ident.channel, ident.address, ident.verified === 1);
    ident.link_key = k;
    if (!k) continue;
    const list = keyed.get(k) ?? [];
    keyed.set(k, list);
    list.push(ident);
  }
  if (keyed.size === 0) return;
  const owner = new Map<string, string>();
  const keys = [...keyed.keys()];
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('identities')
      .select(['link_key', 'customer_id'])
      .where('workspace_id', '=', ctx.settings.workspaceId)
      .where('link_key', 'in', keys.slice(i, i + 1000))
      .orderBy('created_at')
      .execute();
    for (const r of rows)
      if (r.link_key && !owner.has(r.link_key)) owner.set(r.link_key, r.customer_id);
  }
  const replaced = new Map<string, string>();
  for (const [k, idents] of keyed) {
    // Within the batch, the first identity with a key decides for the later ones.
    const target = owner.get(k) ?? idents[0].customer_id;
    for (const ident of idents) {
      if (ident.customer_id !== target) {
        replaced.set(ident.customer_id, target);
        ident.customer_id = target;
      }
      batch.customerByIdentity.set(key(ident.channel, ident.address), target);
    }
  }
  if (replaced.size === 0) return;
  // Customers created only for a now-linked identity are not created at all.
  const stillUsed = new Set(batch.newIdentities.map((i) => i.customer_id));
  batch.newCustomers = batch.newCustomers.filter((c) => stillUsed.has(c.id));
  for (const item of batch.items) {
    if (item.customerId && replaced.has(item.customerId)) {
      item.customerId = replaced.get(item.customerId)!;
    }
  }
}
