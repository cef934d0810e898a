/**
 * UTF-7 (RFC 2152), which mailparser's charset tables do not know: old Outlook and some mobile
 * clients label text and encoded words `UTF-7`, and without this the customer reads "caf+AOk-".
 * Shifted runs are "+" and modified base64 of UTF-16BE up to the first non-base64 character
 * ("-" is then dropped); "+-" is a literal "+".
 */
const RUN = /\+([A-Za-z0-9+/]*)-?/g;

export function decodeUtf7(s: string): string {
  return s.replace(RUN, (whole, b64: string) => {
    if (b64 === '') return whole === '+-' ? '+' : whole;
    const bytes = Buffer.from(b64, 'base64');
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  });
}

/** Whether a raw mail labels a body part or an encoded word UTF-7 (only then is it decoded). */
export function declaresUtf7(raw: Buffer): boolean {
  const head = raw.toString('latin1');
  return /charset\s*=\s*"?(unicode-1-1-)?utf-7\b/i.test(head) || /=\?utf-7\?[bq]\?/i.test(head);
}
