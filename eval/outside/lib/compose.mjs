// Turning a template into a customer's sentence: slots filled, a place said (or not), noise,
// and the channel's dress; plus the message line as POST /api/v1/inbound takes it.

import { dress, noisy } from './people.mjs';
import { DEVICES, WHEN } from './texts.mjs';

const HOUR_WORDS = [
  'this morning',
  'around 7',
  'about an hour ago',
  'lunchtime',
  '2pm',
  'noon',
  'last night',
  'a few hours ago',
  '9am',
  'earlier today',
];

export function fillSlots(rng, tpl) {
  return tpl
    .replace(/\{amt\}/g, () => `$${rng.int(38, 420)}.${rng.digits(2)}`)
    .replace(/\{dev\}/g, () => rng.pick(DEVICES))
    .replace(/\{d\}/g, () => String(rng.int(3, 19)))
    .replace(/\{n\}/g, () => String(rng.int(25, 190)))
    .replace(/\{wk\}/g, () => rng.pick(WHEN))
    .replace(/\{t\}/g, () => rng.pick(HOUR_WORDS));
}

/**
 * Puts a place phrase where the template has room for one, or around the sentence when it has
 * none; with no phrase, the slot goes away without leaving a double space.
 */
export function sayPlace(rng, tpl, phrase) {
  if (!phrase) return tpl.replace(/ ?\{p\}/g, '');
  if (tpl.includes('{p}')) return tpl.replace('{p}', phrase).replace(/ ?\{p\}/g, '');
  const bare = phrase.replace(/^(in|here in|out here in|all over|around) /, '');
  return rng.pick([
    `${tpl} ${phrase}`,
    `${tpl}. I'm ${phrase.startsWith('in ') || phrase.startsWith('here') ? phrase : `in ${bare}`}`,
    `${bare} - ${tpl}`,
    `${tpl} (${bare})`,
  ]);
}

/** One customer's message text, dressed for their channel. */
export function compose(rng, customer, tpl, phrase, kind, mood) {
  const said = noisy(rng, fillSlots(rng, sayPlace(rng, tpl, phrase)), mood);
  return dress(rng, customer, said, kind);
}

let ext = 0;
export const resetMessageSerial = () => {
  ext = 0;
};
/** An id in the provider's style; unique across the set through the running serial. */
function externalId(rng, channel, scenario) {
  ext++;
  switch (channel) {
    case 'x':
      return `1${rng.digits(9)}${String(ext).padStart(9, '0')}`;
    case 'facebook':
      return `${rng.digits(15)}_${ext}`;
    case 'email':
      return `<${scenario}.${ext}.${rng.digits(6)}@mail.${rng.pick(['gmail', 'yahoo', 'outlook'])}.com>`;
    case 'sms':
      return `SM${rng.digits(14)}${ext}`;
    case 'whatsapp':
      return `wamid.HBgL${rng.digits(12)}${ext}`;
    case 'voice':
      return `CA${rng.digits(12)}${ext}`;
    default:
      return `${scenario}-chat-${ext}`;
  }
}

/** Event time as ISO: mostly UTC, some with a US offset as some gateways send them. */
function isoTime(rng, ms) {
  const d = new Date(ms);
  if (!rng.chance(0.1)) return d.toISOString();
  const off = rng.pick([-4, -5, -6, -7]);
  const local = new Date(ms + off * 3600_000).toISOString().slice(0, 23);
  return `${local}${off < 0 ? '-' : '+'}${String(Math.abs(off)).padStart(2, '0')}:00`;
}

/** A message line, with its truth kept beside it (the server drops fields it does not know). */
export function line(rng, scenario, customer, ms, body, truth, extra = {}) {
  const msg = {
    channel: customer.channel,
    externalId: externalId(rng, customer.channel, scenario),
    author: customer.author,
    text: body.text,
    sentAt: isoTime(rng, ms),
  };
  if (body.subject) msg.subject = body.subject;
  Object.assign(msg, extra);
  msg.truth = truth;
  return { ms, msg };
}
