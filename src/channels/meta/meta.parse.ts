import { arr, idString, obj, str } from '../channel.json.js';
import { emptyDelivery, type ParsedDelivery } from '../channel.parsed.js';
import { parseFeedChange, parseInstagramComment } from './meta.parse.feed.js';
import { parseMessagingEvent } from './meta.parse.messaging.js';
import { parseWhatsAppValue } from './meta.parse.whatsapp.js';

export interface MetaParseContext {
  channelId: string;
  pageId?: string;
  instagramAccountId?: string;
  whatsappPhoneNumberId?: string;
}

/**
 * One Meta webhook body → messages, marks and receipts. Meta batches: one POST may carry several
 * `entry` items, each with several `messaging` events or `changes`. Objects, fields and event
 * types we do not handle are skipped with a reason, never an error, because Meta adds fields
 * without notice. developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
export function parseMetaWebhook(body: unknown, ctx: MetaParseContext): ParsedDelivery {
  const out = emptyDelivery();
  const root = obj(body);
  const object = str(root?.object);
  if (!root || !object) {
    out.ignored.push({ what: 'body', reason: 'no "object" field' });
    return out;
  }
  const entries = arr(root.entry);
  if (entries.length === 0) out.ignored.push({ what: 'body', reason: 'no entries' });
  for (const e of entries) {
    const entry = obj(e);
    if (!entry) continue;
    const entryId = idString(entry.id);
    const entryTime = typeof entry.time === 'number' ? entry.time : undefined;
    if (object === 'page' || object === 'instagram') {
      const channel = object === 'page' ? 'facebook' : 'instagram';
      const own = object === 'page' ? ctx.pageId : ctx.instagramAccountId;
      if (!entryId) {
        out.ignored.push({ what: 'entry', reason: 'entry without id' });
        continue;
      }
      if (own && entryId !== own) {
        out.ignored.push({
          what: 'entry',
          reason: `entry for ${object} ${entryId}, not this channel's`,
        });
        continue;
      }
      const messaging = arr(entry.messaging).concat(arr(entry.standby));
      const changes = arr(entry.changes);
      if (messaging.length === 0 && changes.length === 0) {
        out.ignored.push({ what: 'entry', reason: 'entry without messaging or changes' });
      }
      for (const ev of messaging) parseMessagingEvent(ev, channel, entryId, ctx.channelId, out);
      for (const c of changes) {
        const change = obj(c);
        const field = str(change?.field);
        if (object === 'page' && field === 'feed') {
          parseFeedChange(change?.value, entryId, ctx.channelId, entryTime, out);
        } else if (object === 'instagram' && (field === 'comments' || field === 'live_comments')) {
          parseInstagramComment(change?.value, entryId, ctx.channelId, entryTime, out);
        } else {
          out.ignored.push({ what: `change ${field ?? '?'}`, reason: 'field not handled' });
        }
      }
    } else if (object === 'whatsapp_business_account') {
      for (const c of arr(entry.changes)) {
        const change = obj(c);
        if (str(change?.field) !== 'messages') {
          out.ignored.push({
            what: `change ${str(change?.field) ?? '?'}`,
            reason: 'field not handled',
          });
          continue;
        }
        parseWhatsAppValue(change?.value, ctx, out);
      }
    } else {
      out.ignored.push({ what: `object ${object}`, reason: 'object not handled' });
      break;
    }
  }
  return out;
}
