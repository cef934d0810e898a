import type { Kysely } from 'kysely';

/**
 * Threading looks up, for each post a batch brings, the stored messages that answer it: a reply
 * may arrive before the post it answers (X's webhooks promise no order), by its author, another
 * customer or the brand (`src/ingest/pipeline/stages/thread.replies-first.ts`). Without this
 * index that lookup walks every message of the channel, or only the customer's own (which misses
 * the replies of others and the brand's).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('messages_reply_ix')
    .on('messages')
    .columns(['workspace_id', 'channel', 'in_reply_to'])
    .execute();
}
