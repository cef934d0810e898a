/**
 * How long an SMS body is the way Twilio counts it (twilio.com/docs/glossary/what-sms-character-limit,
 * error 21617): a body written wholly in the GSM-7 alphabet counts one per character, two for the
 * escape-table characters (`^{}\[~]|€` and form feed); a body with any other character goes as
 * UCS-2, where every UTF-16 code unit counts, so an emoji outside the BMP counts two. `Body` may
 * be at most 1,600 of those. Segments: 160 GSM-7 or 70 UCS-2 units in one message, 153 or 67 per
 * part once it is split (the concatenation header takes the rest).
 */
export const SMS_MAX = 1600;

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as Twilio counts them against `SMS_MAX`. */
  units: number;
  segments: number;
  /** For UCS-2: the first character that is not GSM-7 (to say why). */
  nonGsm?: string;
}

export function smsLength(text: string): SmsLength {
  let septets = 0;
  let nonGsm: string | undefined;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else {
      nonGsm = ch;
      break;
    }
  }
  if (nonGsm === undefined) {
    return { encoding: 'GSM-7', units: septets, segments: segments(septets, 160, 153) };
  }
  return {
    encoding: 'UCS-2',
    units: text.length,
    segments: segments(text.length, 70, 67),
    nonGsm,
  };
}

function segments(units: number, single: number, part: number): number {
  if (units <= single) return 1;
  return Math.ceil(units / part);
}

/** Why a body is too long for Twilio, or undefined when it fits. */
export function smsTooLong(text: string): string | undefined {
  const n = smsLength(text);
  if (n.units <= SMS_MAX) return undefined;
  const why =
    n.encoding === 'UCS-2'
      ? ` (it goes as UCS-2 because of ${JSON.stringify(n.nonGsm)}, so every UTF-16 unit counts and an emoji counts 2)`
      : '';
  return `an SMS holds at most ${SMS_MAX} characters as Twilio counts them and this one has ${n.units}${why}: shorten it`;
}
