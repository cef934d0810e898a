/**
 * Why a mail's sender cannot be trusted, or undefined. An e-mail address is a verified identity
 * to the desk: it links customers across channels automatically (src/customers/identity.keys.ts),
 * so a forged From must not reach the pipeline. The receiving mail server says what it checked in
 * `Authentication-Results` (RFC 8601); only the headers our own server added count, and it adds
 * them on top, so the authserv-id of the topmost one names our server and the headers with that
 * id are read (one server may add several). A sender could have put a header of its own further
 * down, never above ours. `dmarc=fail` is refused; a mail whose server checks nothing (no header)
 * is taken, as every mail server without DMARC would deliver it.
 */
export function dmarcProblem(
  headerLines: readonly { key: string; line: string }[],
): string | undefined {
  const results = headerLines
    .filter((h) => h.key === 'authentication-results')
    .map((h) =>
      h.line
        .slice(h.line.indexOf(':') + 1)
        .replace(/\s+/g, ' ')
        .trim(),
    );
  if (results.length === 0) return undefined;
  const servId = (r: string) => r.split(';')[0].trim().split(' ')[0].toLowerCase();
  const ours = servId(results[0]);
  for (const r of results) {
    if (servId(r) !== ours) break;
    if (/(^|[;\s])dmarc\s*=\s*fail\b/i.test(r)) return `DMARC failed (${ours})`;
  }
  return undefined;
}
