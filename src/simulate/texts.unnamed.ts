/**
 * Kinds of trouble that no triage topic names (truth topic `other`), for incidents that only a
 * text-similarity detector can find. Written by us for Throughline; same template syntax as
 * texts.customer.ts. Each family is one concrete failure people describe in their own words.
 */
import type { TextFamily } from './texts.customer.js';

export const UNNAMED_FAMILIES = {
  /** Picture and group messages fail while plain texts still go through. */
  pictureMessages: {
    topic: 'other',
    complaint: true,
    texts: [
      '{hi}[picture messages|photos in texts|MMS] [will not send|fail to send|just spin and fail] {since}{where}. Plain texts work fine.{ugh}',
      '[Group chats|Group texts] [are broken|stopped working|show "not delivered"]{where} {since}. [My whole family has the same issue.|Nobody in the group gets anything.]{ugh}',
      "{hi}[I can not|I cannot|I can't] [download|open] [photos|pictures|videos] people text me, it says [download failed|message expired]{where}.{ugh}",
      '[Every|Each] [photo|picture|video] I text [bounces back|comes back undelivered|gets a red exclamation mark] {since}.{ugh}',
    ],
  },
  /** Outgoing calls show a wrong caller ID or get labelled as spam. */
  callerId: {
    topic: 'other',
    complaint: true,
    texts: [
      '{hi}[people|my customers|my kids\' school] [say|tell me] my calls show up as ["Spam Likely"|"Scam Likely"|a spam warning] {since}{where}.{ugh}',
      "[My caller ID|The name on my outgoing calls] [shows a stranger's name|says Unknown|is blank] {since}. [Nobody picks up anymore.|Doctors will not answer.]{ugh}",
      '{hi}when I call out, [the other side sees|they see] [a different number|some random number|No Caller ID]{where}.{ugh}',
      '[Half my calls|All my outgoing calls] [get flagged|are flagged] as [spam|potential fraud] on the other end {since}.{ugh}',
    ],
  },
  /** Channels missing from the TV line-up or the TV box app showing an error code. */
  tvLineup: {
    topic: 'other',
    complaint: true,
    texts: [
      '{hi}[half my channels|all the local channels|the sports channels] [disappeared|are gone|show a black screen] {since}{where}.{ugh}',
      '[The TV box|My set-top box|The TV app] [shows|keeps showing] error [code ]{n}0{n} [and nothing plays|on every channel] {since}.{ugh}',
      "{hi}the [guide|channel guide|program guide] is empty and [recordings|my DVR recordings] [are gone|won't play]{where}.{ugh}",
      '[Paying for|I pay for] the [sports package|premium channels|full line-up] and [they vanished|they are missing] {since}.{ugh}',
    ],
  },
  /** The carrier's own mailbox (customer@kestrel.net) stops syncing or rejects the password. */
  mailbox: {
    topic: 'other',
    complaint: true,
    texts: [
      '{hi}my [kestrel.net|Kestrel] email [stopped syncing|is not receiving anything|rejects my password] {since}{where}.{ugh}',
      '[Outlook|My mail app|The webmail page] [says|keeps saying] [server unavailable|authentication failed|cannot connect] for my [Kestrel|kestrel.net] mailbox.{ugh}',
      '{hi}[people say|my bank says] [emails|messages] to my [kestrel.net|Kestrel] address [bounce|come back] {since}.{ugh}',
      '[No new mail|Inbox frozen] {since}. [Is your email server down?|Is webmail broken?]{ugh}',
    ],
  },
} satisfies Record<string, TextFamily>;
