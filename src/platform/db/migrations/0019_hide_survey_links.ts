import { type Kysely, sql } from 'kysely';

/**
 * Survey messages the desk sent before keep their link's token in the text agents read, and the
 * token alone answers the survey: agents could rate their own help. From now on the stored
 * message reads `[survey link]` (the customer's copy is the outbox's, `src/csat/csat.service.ts`);
 * this does the same to the ones sent before, in pages by id. The rule is written out here, not
 * imported, so this migration means the same thing whatever the code becomes.
 */
const INVITE = 'How did we do? Rate us from 1 to 5: ';
const LINK = /https?:\/\/[^\s"]*?\/csat\/[\w-]{10,100}/g;
const PAGE = 500;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (let after = ''; ; ) {
    const { rows } = await sql<{ id: string; text: string }>`
      SELECT id, text FROM messages
      WHERE direction = 'out' AND id > ${after} AND text LIKE ${`${INVITE}%`}
      ORDER BY id LIMIT ${PAGE}`.execute(db);
    for (const r of rows) {
      const hidden = r.text.replace(LINK, '[survey link]');
      if (hidden !== r.text)
        await sql`UPDATE messages SET text = ${hidden} WHERE id = ${r.id}`.execute(db);
    }
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}
