import { type Kysely, sql } from 'kysely';

/**
 * `csat_surveys.message_id`: the survey's message, whose delivery status says whether the customer
 * was asked at all. CSAT statistics counted every survey row as sent, a survey the provider
 * refused (or no channel could carry) too, which lowered the answer rate with customers never
 * asked. Surveys stored before are matched to their message as the desk stores it (same case and
 * time, outbound, the invitation with its link hidden, as migration 0019 left every one); one not
 * found stays null and counts as sent, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('csat_surveys').addColumn('message_id', 'text').execute();
  await sql`
    update csat_surveys set message_id = (
      select m.id from messages m
      where m.case_id = csat_surveys.case_id and m.direction = 'out'
        and m.sent_at = csat_surveys.sent_at
        and m.text = ${'How did we do? Rate us from 1 to 5: [survey link]'}
      order by m.id limit 1
    )`.execute(db);
}
