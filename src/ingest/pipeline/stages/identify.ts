import { linkVerifiedIdentities } from '../../../customers/identity.link.js';
import { newId } from '../../../platform/ids.js';
import { type BatchState, key, type Stage, type StageContext } from '../types.js';

/**
 * Finds the customer behind each inbound message by its (channel, address) identity, creating
 * customer and identity for a first contact. Outbound messages get their customer from the
 * thread stage (they belong to the customer they answer). One lookup query per channel.
 */
export const identify: Stage = {
  name: 'identify',
  async run(batch: BatchState, ctx: StageContext) {
    const wanted = new Map<string, Set<string>>();
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.direction !== 'in') continue;
      const k = key(item.msg.channel, item.msg.author.id);
      if (batch.customerByIdentity.has(k)) continue;
      const set = wanted.get(item.msg.channel) ?? new Set<string>();
      wanted.set(item.msg.channel, set);
      set.add(item.msg.author.id);
    }
    for (const [channel, addresses] of wanted) {
      const list = [...addresses];
      for (let i = 0; i < list.length; i += 1000) {
        const rows = await ctx.trx
          .selectFrom('identities')
          .select(['address', 'customer_id'])
          .where('workspace_id', '=', ctx.settings.workspaceId)
          .where('channel', '=', channel)
          .where('address', 'in', list.slice(i, i + 1000))
          .execute();
        for (const r of rows) batch.customerByIdentity.set(key(channel, r.address), r.customer_id);
      }
    }
    // New identities whose address the channel does not vouch for (an e-mail's Reply-To).
    const unverified = new Set<string>();
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.direction !== 'in') continue;
      const { channel, author } = item.msg;
      const k = key(channel, author.id);
      let customerId = batch.customerByIdentity.get(k);
      if (!customerId) {
        customerId = newId();
        batch.customerByIdentity.set(k, customerId);
        const displayName = author.name ?? author.handle ?? null;
        batch.newCustomers.push({
          id: customerId,
          workspace_id: ctx.settings.workspaceId,
          display_name: displayName,
          location: author.location ?? null,
          reach: author.followers ?? 0,
          merged_into: null,
          created_at: ctx.now,
          updated_at: ctx.now,
        });
        const identityId = newId();
        if (author.addressUnverified) unverified.add(identityId);
        batch.newIdentities.push({
          id: identityId,
          workspace_id: ctx.settings.workspaceId,
          customer_id: customerId,
          channel,
          address: author.id,
          handle: author.handle ?? null,
          name: author.name ?? null,
          followers: author.followers ?? null,
          location: author.location ?? null,
          verified: author.verified ? 1 : 0,
          created_at: ctx.now,
        });
      }
      item.customerId = customerId;
    }
    // Verified identifiers shared across channels join their customer (care core, issue 5).
    await linkVerifiedIdentities(batch, ctx, unverified);
  },
};
