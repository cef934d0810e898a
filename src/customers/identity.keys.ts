import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Channels whose address is a phone number (the sender controls it: carrier or WhatsApp verified). */
export const PHONE_CHANNELS = new Set(['sms', 'voice', 'whatsapp']);

/**
 * A phone number in E.164 (`+14155550100`), or null when it is not a valid number. Numbers
 * written without a country code are read in `defaultCountry` (the installation's country).
 * Prefixes such as `whatsapp:` or `tel:` are tolerated.
 */
export function normalisePhone(
  raw: string,
  defaultCountry: 'US' | 'GB' | string = 'US',
): string | null {
  const cleaned = raw.replace(/^(whatsapp|tel|sms):/i, '').trim();
  // WhatsApp Cloud API sends international numbers without the plus sign.
  const withPlus =
    /^\d{11,15}$/.test(cleaned) && !cleaned.startsWith('1') ? `+${cleaned}` : cleaned;
  // biome-ignore lint/suspicious/noExplicitAny: libphonenumber-js types countries as a closed union.
  const p = parsePhoneNumberFromString(withPlus, defaultCountry as any);
  return p?.isValid() ? p.number : null;
}

/**
 * The E.164 number behind an address on a phone channel. A WhatsApp id (`wa_id`, the Cloud API's
 * `from`) is always the full international number without its plus sign, so it is never read in
 * the installation's country: `6598765432` is Singapore's +65 9876 5432, not a US number.
 */
export function channelPhone(channel: string, address: string): string | null {
  if (channel === 'whatsapp') {
    const digits = address
      .replace(/^whatsapp:/i, '')
      .trim()
      .replace(/^\+/, '');
    return /^\d{6,15}$/.test(digits) ? normalisePhone(`+${digits}`) : null;
  }
  return normalisePhone(address);
}

/** The country (ISO 3166 alpha-2) of a number in E.164, or undefined when it has none. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

export function normaliseEmail(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? v : null;
}

/**
 * The cross-channel key of an identity when its channel vouches for the identifier, else null.
 * - phone channels (SMS, voice, WhatsApp): the sender's number is verified by the network;
 * - email: the mailbox address (the reply goes to whoever controls it; the email adapter drops
 *   mail failing DMARC before it reaches us);
 * - `account`: a customer account number recorded by an agent or an import;
 * - any channel whose adapter marks the identity verified with an email or phone address
 *   (e.g. web chat with identity verification).
 * Social ids (X, Facebook, Instagram) are never keys: they say nothing about the person's
 * phone or email, so they only ever link through a merge.
 */
export function linkKeyFor(channel: string, address: string, verified: boolean): string | null {
  if (PHONE_CHANNELS.has(channel)) {
    const p = channelPhone(channel, address);
    return p ? `phone:${p}` : null;
  }
  if (channel === 'email') {
    const e = normaliseEmail(address);
    return e ? `email:${e}` : null;
  }
  if (channel === 'account') {
    const digits = address.replace(/[\s-]/g, '');
    return digits ? `account:${digits}` : null;
  }
  if (verified) {
    const e = address.includes('@') ? normaliseEmail(address) : null;
    if (e) return `email:${e}`;
  }
  return null;
}

/** The key an identifier written in a message would have (for suggestions, never auto-links). */
export function keyOfWritten(kind: 'phone' | 'email' | 'account', text: string): string | null {
  if (kind === 'phone') {
    const p = normalisePhone(text);
    return p ? `phone:${p}` : null;
  }
  if (kind === 'email') {
    const e = normaliseEmail(text);
    return e ? `email:${e}` : null;
  }
  const digits = text.replace(/[\s-]/g, '');
  return digits ? `account:${digits}` : null;
}
