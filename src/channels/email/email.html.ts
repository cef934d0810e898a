/**
 * The text mailparser derives from an HTML-only mail (html-to-text, defaults we cannot set) writes
 * an image as `alt [src]` and a link as `text [href]`. An image's URL is not what the customer
 * wrote: mostly a tracking pixel, which a UI that turns URLs into links would hand the agent to
 * open (and tell the tracker the mail was read); a `javascript:`, `vbscript:` or `data:` link is
 * worse. Those bracketed URLs are cut from the text; http(s) links the customer sent stay.
 * The URLs are the ones the HTML's own <img>/<a> tags name, so a plain-text part that happens to
 * contain brackets loses nothing else.
 */
const TAG = /<(img|image|a|area)\b[^>]*>/gi;
const ATTR = /\s(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi;
const BAD_SCHEME = /^(javascript|vbscript|data|file):/i;
/** A scheme as a browser reads it: it ignores controls and spaces ("java&#9;script:"). */
const schemeOf = (url: string) => [...url].filter((c) => c.charCodeAt(0) > 0x20).join('');

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (all, e: string) => {
    if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? all;
    const cp = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
  });
}

/** The URLs of the HTML's images, and of its links with a scheme that runs or embeds content. */
export function hiddenUrlsOf(html: string): string[] {
  const urls = new Set<string>();
  for (const tag of html.matchAll(TAG)) {
    const image = !/^<a/i.test(tag[0]);
    for (const a of tag[0].matchAll(ATTR)) {
      const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '').trim();
      if (!value) continue;
      const isImage = image && a[1].toLowerCase() === 'src';
      if (isImage || BAD_SCHEME.test(schemeOf(value))) urls.add(value);
    }
  }
  return [...urls];
}

const asPattern = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');

/** The text without the `[url]` html-to-text wrote for the HTML's images and unsafe links. */
export function withoutHiddenUrls(text: string, html: string): string {
  let out = text;
  for (const url of hiddenUrlsOf(html)) {
    out = cut(out, new RegExp(`[ \\t]*\\[\\s*${asPattern(url)}\\s*\\][ \\t]*`, 'g'));
  }
  // Whatever the tag scan missed: a bracketed URL of those schemes is never the customer's text.
  return cut(out, /[ \t]*\[\s*(javascript|vbscript|data):[^\]\s]*\][ \t]*/gi);
}

/** Cuts each match, leaving one space where it stood between two words ("logo [src]click"). */
function cut(text: string, re: RegExp): string {
  return text.replace(re, (m: string, ...rest: unknown[]) => {
    const at = rest.find((r) => typeof r === 'number') as number;
    const before = text[at - 1];
    const after = text[at + m.length];
    return before === undefined || before === '\n' || after === undefined || after === '\n'
      ? ''
      : ' ';
  });
}
