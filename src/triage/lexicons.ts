/**
 * Hand-written lexicons (ours, see data/triage/README.md). They feed the learned models as extra
 * features so the models generalise past the vocabulary of our training sentences: a word listed
 * here lights the same feature as every other word of its list.
 */
import type { Topic } from './types.js';

const w = (s: string): string[] => s.trim().split(/\s*,\s*/);

/** Words and two-word phrases (space separated, as tokenize() produces them) per topic. */
export const TOPIC_LEXICON: Record<Exclude<Topic, 'other'>, string[]> = {
  network: w(`signal, signals, coverage, bars, reception, lte, 4g, 5g, 3g, data, mbps, speeds, speed,
    wifi, connection, connectivity, internet, bandwidth, latency, ping, tower, towers, roaming,
    hotspot, throttled, throttling, slow internet, dead zone, dropped calls, dropping calls,
    drops calls, calls drop, call drops, no signal, no bars, no service, packet loss, lag, lagging,
    buffering, upload, download, disconnects, disconnecting, keeps dropping, network, sms, texts,
    text messages, voicemail, calls failing, can not call, mobile data, broadband, fiber, fibre, dsl`),
  outage: w(`outage, outages, down, offline, blackout, restored, restore, restoration, interruption,
    is down, are down, went down, been down, service down, internet down, network down, whole area,
    whole neighborhood, neighborhood, entire area, everyone, nobody has, area, maintenance,
    back up, back online, still down, out again, cable out, internet out, power outage, status,
    eta, no internet, no tv, no cable, all day, since morning, since last night, zip, zip code`),
  billing: w(`bill, bills, billing, billed, charge, charges, charged, overcharged, overcharge,
    overbilled, payment, payments, pay, paid, paying, refund, refunds, refunded, fee, fees, price,
    prices, pricing, rate, rates, invoice, autopay, credit, credits, late fee, promo, promotion,
    discount, money, cost, costs, expensive, deposit, statement, balance, dollars, double charged,
    charged twice, increase, increased, hike, tax, taxes, owe, debt, collections, rebate, prorated`),
  account: w(`account, accounts, plan, plans, upgrade, downgrade, password, login, log in, sign in,
    signin, username, pin, port, porting, number transfer, add a line, line, lines, contract,
    unlock, unlocked, profile, verify, verification, hacked, locked out, locked, suspended,
    cancel, cancellation, cancelled, canceled, switch plans, unlimited, prepaid, postpaid,
    subscription, subscribe, unsubscribe, renew, renewal, transfer ownership, my details, address`),
  device: w(`phone, phones, iphone, android, samsung, galaxy, pixel, router, modem, cable box, dvr,
    remote, tablet, ipad, watch, screen, battery, charger, sim, sim card, handset, firmware, reboot,
    restart, device, devices, equipment, trade in, trade-in, warranty, repair, replacement, cracked,
    broken, overheating, update, software update, app, apps, tv box, set top box, gateway, receiver,
    headphones, laptop, console, camera, bluetooth, frozen, freezes, crashes, crashing, glitch`),
  service: w(`customer service, support, rep, reps, agent, agents, representative, chat, live chat,
    call center, call centre, on hold, hold, hung up, hangs up, callback, call back, called back,
    store, manager, supervisor, rude, response, respond, responded, reply, replied, ticket,
    escalate, escalated, transferred, wait time, waiting, dm, dms, promised, nobody, no one,
    no response, unhelpful, helpline, hotline, complaint, complain, staff, employee, ignored,
    ignoring, runaround, run around, survey, email back, answer, answered, phone call`),
  delivery: w(`delivery, deliver, delivered, deliveries, shipping, shipped, ship, package, parcel,
    order, ordered, orders, tracking, tracking number, installation, install, installed, installer,
    technician, tech, techs, appointment, arrive, arrived, arrival, no show, no-show, courier, ups,
    fedex, usps, dhl, dispatch, dispatched, shipment, setup, set up, activation, activate,
    activated, visit, window, scheduled, reschedule, rescheduled, missed appointment, box arrived`),
  praise: w(`thank, thanks, thankyou, thx, great, awesome, love, loved, loving, amazing, best,
    helpful, appreciate, appreciated, kudos, shoutout, shout out, excellent, fantastic, wonderful,
    brilliant, perfect, quick, quickly, fast, superb, outstanding, impressed, happy, pleased,
    grateful, glad, nice, cheers, legend, star, hero, above and beyond, well done, good job`),
};

/** Phrases that signal a breach of expectations (the ACL 2019 definition of a complaint). */
export const COMPLAINT_CUES = w(`not working, does not work, stopped working, will not work, not work,
  broken, error, errors, fail, failed, fails, failure, issue, issues, problem, problems, still,
  waiting, wait, hours, days, weeks, months, never, again, yet, late, delayed, delay, delays,
  cancelled, missing, lost, wrong, terrible, worst, awful, horrible, ridiculous, unacceptable,
  disappointed, disappointing, frustrated, frustrating, annoyed, annoying, useless, joke, pathetic,
  fix, fixed, sort, sorted, why, how long, no one, nobody, keep, keeps, kept, crash, crashed,
  slow, stuck, pending, incorrect, damaged, rude, hung up, on hold, supposed to, should not, can not,
  unable, refuse, refused, refusing, disgusting, disgrace, shame, shameful, poor, bad, sucks,
  fed up, sick of, tired of, over it, complaint, ripped off, rip off, scam, lied, lie, lies,
  excuse, excuses, apology, sorry, yet again, every time, each time, what is going on, seriously,
  wtf, ugh, smh, fail, ever since, for the third time, multiple times, several times, charged,
  overcharged, refund, nothing, anyone, help, hello, hellooo, explain, understand, expected`);

/** Cues of a polite request or a neutral exchange, which the ACL annotators did not count. */
export const REQUEST_CUES = w(`can i, could i, can you, could you, how do i, how can i, do you,
  is there, are there, will you, would you, where can i, what is, when will, looking for,
  interested in, wondering, question, info, information, please advise, thank you, thanks, love,
  great, awesome, congrats, congratulations, happy, excited, cant wait, looking forward`);

/** Emoji sentiment (a short list of the ones customers use; scores in AFINN's -5..5 scale). */
export const EMOJI_VALENCE: Record<string, number> = {
  '😡': -4, '🤬': -5, '😠': -3, '😤': -3, '😞': -2, '😩': -3, '😫': -3, '😢': -2, '😭': -3,
  '🙄': -2, '😒': -2, '👎': -3, '💩': -3, '😑': -1, '😐': -1, '😖': -2, '😣': -2, '🤦': -2,
  '😔': -2, '😓': -2, '😰': -2, '😱': -2, '💔': -3, '😂': 1, '🤣': 1, '😀': 2, '😃': 2,
  '😄': 2, '😁': 2, '😊': 2, '🙂': 1, '😍': 3, '🥰': 3, '❤': 3, '💕': 3, '👍': 2, '👏': 2,
  '🙌': 2, '🎉': 3, '💯': 2, '🙏': 1, '🔥': 1, '✅': 1, '⭐': 2, '🌟': 2, '😎': 2,
};
