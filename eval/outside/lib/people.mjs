// Customers and the way each channel carries their words: identities as the providers give
// them (X ids and handles, page-scoped ids, addresses, E.164 numbers) and the habits of each
// channel (e-mail signatures, voice transcripts, short texts), with typing noise on top.

import { profileLocation } from './places.mjs';

const FIRST = [
  'Ana',
  'Ben',
  'Carla',
  'Dev',
  'Erin',
  'Frank',
  'Gina',
  'Hector',
  'Ivy',
  'Jamal',
  'Kim',
  'Luis',
  'Megan',
  'Nate',
  'Olga',
  'Pete',
  'Quinn',
  'Rosa',
  'Sanjay',
  'Tara',
  'Uma',
  'Victor',
  'Wendy',
  'Xavier',
  'Yolanda',
  'Zach',
  'Brianna',
  'Curtis',
  'Destiny',
  'Eduardo',
  'Fatima',
  'Grant',
  'Hannah',
  'Isaac',
  'Jasmine',
  'Kevin',
  'Leah',
  'Marcus',
  'Nadia',
  'Owen',
  'Priya',
  'Ray',
];
const LAST = [
  'Adams',
  'Brooks',
  'Castillo',
  'Duong',
  'Ellis',
  'Foster',
  'Garcia',
  'Huang',
  'Ibrahim',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Murphy',
  'Nguyen',
  'Okafor',
  'Patel',
  'Reyes',
  'Silva',
  'Thompson',
  'Underwood',
  'Vega',
  'Walsh',
  'Yamamoto',
  'Zimmerman',
  'Bauer',
  'Coleman',
  'Diaz',
  'Fischer',
  'Hughes',
  'Kim',
];
const MAIL = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'icloud.com',
  'aol.com',
  'hotmail.com',
  'proton.me',
];
const AREA_CODES = [
  '206',
  '503',
  '415',
  '213',
  '619',
  '702',
  '602',
  '303',
  '214',
  '713',
  '512',
  '312',
  '404',
  '305',
  '212',
  '617',
  '215',
  '615',
  '704',
  '313',
];

export const CHANNEL_MIX = [
  ['x', 30],
  ['facebook', 12],
  ['email', 15],
  ['sms', 11],
  ['voice', 8],
  ['webchat', 14],
  ['whatsapp', 10],
];

let serial = 0;
export const resetCustomerSerial = () => {
  serial = 0;
};

/** A new customer on a channel. `city` is where they live (may be used for a profile location). */
export function newCustomer(rng, channel, city, prefix) {
  serial++;
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const name = `${first} ${last}`;
  const tag = `${prefix}${serial}`;
  const author = {};
  if (channel === 'x') {
    author.id = `${rng.int(1, 9)}${rng.digits(rng.int(8, 17))}${serial}`;
    author.handle =
      rng.pick([
        `${first.toLowerCase()}_${last.toLowerCase()}${rng.int(1, 99)}`,
        `${first}${rng.int(80, 2005)}`,
        `the${last}${rng.int(1, 9)}`,
      ]) + serial;
    author.name = rng.chance(0.8) ? name : `${first} ✨`;
    author.followers = Math.floor(rng.logUniform(3, 40000));
  } else if (channel === 'facebook') {
    author.id = `${rng.int(1, 9)}${rng.digits(14)}${serial % 10}`;
    author.name = name;
  } else if (channel === 'email') {
    author.id = `${first.toLowerCase()}.${last.toLowerCase()}${rng.chance(0.5) ? rng.int(1, 99) : ''}.${tag}@${rng.pick(MAIL)}`;
    author.name = name;
  } else if (channel === 'webchat') {
    author.id = `visitor-${tag}-${rng.digits(6)}`;
    if (rng.chance(0.6)) author.name = rng.chance(0.5) ? first : name;
  } else {
    // sms, voice, whatsapp: a US number, unique through the serial in its last digits
    const line = String(1000000 + ((serial * 7919) % 9000000)).slice(-7);
    author.id = `+1${rng.pick(AREA_CODES)}${line}`;
    if (channel === 'whatsapp' && rng.chance(0.7)) author.name = rng.chance(0.5) ? first : name;
  }
  return { key: `${channel}:${author.id}`, channel, author, name, first, city, tag };
}

/** Social profiles sometimes carry a location; whether they do is fixed per customer. */
export function withProfileLocation(rng, customer, city) {
  if ((customer.channel === 'x' || customer.channel === 'facebook') && city) {
    customer.author.location = profileLocation(rng, city);
  }
  return customer;
}

const EMOJI = ['😡', '🙄', '😤', '😭', '🤬', '😩', '🙃', '💀', '📵', '‼️', '😒'];
const HAPPY = ['🙂', '👍', '🙏', '😊', '🎉', '❤️'];

/** Typing noise: a swapped or dropped letter, shouting, lower case, emoji. */
export function noisy(rng, text, mood = 'angry') {
  let t = text;
  if (rng.chance(0.18)) t = typo(rng, t);
  if (rng.chance(0.08)) t = typo(rng, t);
  if (rng.chance(0.04)) t = t.toUpperCase();
  else if (rng.chance(0.2)) t = t.toLowerCase();
  else if (rng.chance(0.4)) t = t.charAt(0).toUpperCase() + t.slice(1);
  if (mood !== 'calm' && rng.chance(0.15)) t += ` ${rng.pick(mood === 'happy' ? HAPPY : EMOJI)}`;
  if (mood === 'angry' && rng.chance(0.08))
    t += rng.pick(['!!!', '?!', ' smh', ' ridiculous', ' fix it']);
  t = t
    .replace(/\byou\b/g, () => (rng.chance(0.1) ? 'u' : 'you'))
    .replace(/\bplease\b/g, () => (rng.chance(0.3) ? 'pls' : 'please'));
  return t;
}

function typo(rng, t) {
  const words = t.split(' ');
  const i = rng.int(0, words.length - 1);
  const w = words[i];
  // Digits (ZIP codes, amounts) keep their shape: a typo there would change the truth.
  if (w.length < 4 || /\d/.test(w)) return t;
  const j = rng.int(1, w.length - 2);
  words[i] = rng.chance(0.5)
    ? w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2)
    : w.slice(0, j) + w.slice(j + 1);
  return words.join(' ');
}

/** Wraps what the customer says in the channel's usual form; returns {text, subject?}. */
export function dress(rng, customer, said, kind) {
  const ch = customer.channel;
  if (ch === 'x') {
    const lead = rng.chance(0.55) ? '@VireoCare ' : '';
    const tail = rng.chance(0.12)
      ? ` ${rng.pick(['#fail', '#vireo', '#help', '#customerservice', '#wtf'])}`
      : '';
    return { text: clip(`${lead}${said}${tail}`, 280) };
  }
  if (ch === 'facebook') return { text: rng.chance(0.3) ? `Vireo ${said}` : said };
  if (ch === 'sms') return { text: rng.chance(0.6) ? said.toLowerCase() : said };
  if (ch === 'whatsapp') return { text: said };
  if (ch === 'webchat') {
    const open =
      kind === 'complaint' && rng.chance(0.35)
        ? rng.pick(['Hi, ', 'hello I need help. ', 'Hi there - ', 'Agent please. '])
        : '';
    return { text: open + said };
  }
  if (ch === 'voice') return { text: transcript(rng, said) };
  return email(rng, customer, said, kind);
}

function transcript(rng, said) {
  const plain = said.replace(/[^\p{L}\p{N}\s$.,'?#-]/gu, '').trim();
  const style = rng.int(0, 2);
  if (style === 0) return `yeah hi um ${plain.toLowerCase()} uh can somebody help me with that`;
  if (style === 1) return `Caller: ${plain}. Agent: I'm sorry to hear that, let me look into it.`;
  return `[voicemail transcript] hi this is ${rng.pick(FIRST)} calling about my account, ${plain.toLowerCase()}, please call me back thanks`;
}

function email(rng, customer, said, kind) {
  const subjects = {
    complaint: [
      'Problem with my service',
      'URGENT',
      'Complaint',
      'Re: your account',
      'Issue',
      'Help needed',
      'Need help asap',
      'Service issue',
      '',
    ],
    question: ['Question', 'Quick question', 'Plan inquiry', 'Info please'],
    thanks: ['Thank you', 'Re: ticket', 'Thanks!'],
    praise: ['Great service', 'Feedback', 'Compliment'],
  };
  const subjectList = subjects[kind] ?? subjects.complaint;
  let subject = rng.pick(subjectList);
  if (rng.chance(0.35)) subject = said.split(/[.!?]/)[0].slice(0, 60);
  const greet = rng.pick([
    'Hello,',
    'Hi,',
    'To whom it may concern,',
    'Hi Vireo team,',
    '',
    'Good morning,',
  ]);
  const sign = rng.pick([
    `Thanks,\n${customer.name}`,
    `Regards,\n${customer.name}`,
    customer.first,
    `${customer.name}\nAcct #${rng.digits(9)}`,
    '',
  ]);
  const extra =
    kind === 'complaint' && rng.chance(0.3)
      ? `\n\n${rng.pick(['Please call me back.', 'I expect a response today.', 'This has been going on too long.', 'I have attached nothing because your site will not let me.'])}`
      : '';
  const phone = rng.chance(0.15)
    ? '\n\nSent from my iPhone'
    : rng.chance(0.05)
      ? '\n\nGet Outlook for Android'
      : '';
  const quoted = rng.chance(0.08)
    ? '\n\n> On Mon, Vireo Support wrote:\n> Thank you for contacting us.'
    : '';
  const text = `${greet ? `${greet}\n\n` : ''}${said}${extra}${sign ? `\n\n${sign}` : ''}${phone}${quoted}`;
  return subject ? { text, subject } : { text };
}

function clip(s, n) {
  return [...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`;
}
