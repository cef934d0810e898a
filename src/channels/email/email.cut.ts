import type { ImapFlow, MessageStructureObject } from 'imapflow';

/**
 * A mail over the size we read (email.poll.ts MAX_MAIL_BYTES) is parsed from its first bytes
 * only, so an attachment the cut runs through comes out short and one past it not at all. What
 * the agent sees must not be a wrong size with no sign of the cut: the server's BODYSTRUCTURE
 * (RFC 9051 §7.5.2) lists every part, and each attachment's decoded size is counted from the
 * server as a stream, nothing of it kept. Those sizes replace the parser's, and the attachments
 * it did not read in full say `truncated: true`.
 */
export interface PartSize {
  contentType: string;
  name?: string;
  /** Decoded bytes, as the parser counts `size`. */
  size: number;
}

/** The leaf parts of a structure that are attachments (not the text or HTML body), in order. */
export function attachmentParts(node: MessageStructureObject): MessageStructureObject[] {
  const type = (node.type ?? '').toLowerCase();
  // A forwarded mail is one attachment to the parser, not the parts inside it.
  if (node.childNodes?.length && type !== 'message/rfc822') {
    return node.childNodes.flatMap(attachmentParts);
  }
  const name = partName(node);
  const body = type.startsWith('text/') && node.disposition !== 'attachment' && !name;
  return node.part && !body && !type.startsWith('multipart/') ? [node] : [];
}

const partName = (n: MessageStructureObject) =>
  n.dispositionParameters?.filename ?? n.parameters?.name ?? undefined;

/** At most this many attachment parts are counted per mail (the parser keeps 50 too). */
const MAX_COUNTED = 50;

/** Each attachment part's decoded size, counted from the server without keeping its bytes. */
export async function countPartSizes(
  client: ImapFlow,
  uid: number,
  structure: MessageStructureObject,
): Promise<PartSize[]> {
  const out: PartSize[] = [];
  for (const p of attachmentParts(structure).slice(0, MAX_COUNTED)) {
    const d = await client.download(String(uid), p.part, { uid: true, binary: true });
    let size = 0;
    if (d.content) for await (const chunk of d.content) size += (chunk as Buffer).length;
    const name = partName(p);
    out.push({ contentType: p.type.toLowerCase(), ...(name ? { name } : {}), size });
  }
  return out;
}

interface Attachment {
  type: string;
  contentType: string;
  name?: string;
  size: number;
  truncated?: boolean;
}

/**
 * The parser's attachments of a cut mail with the server's true sizes: each is matched, in
 * order, with the next part of its type and name; a shorter one is marked truncated, and the
 * parts the cut left out entirely are added (metadata only, `truncated`).
 */
export function withTrueSizes(
  parsed: Attachment[],
  parts: PartSize[],
  kindOf: (contentType: string) => string,
): Attachment[] {
  let next = 0;
  const out: Attachment[] = [];
  for (const a of parsed) {
    const i = parts.findIndex(
      (p, k) =>
        k >= next &&
        p.contentType === a.contentType.toLowerCase() &&
        (p.name ?? '') === (a.name ?? ''),
    );
    if (i < 0) {
      out.push(a);
      continue;
    }
    next = i + 1;
    const p = parts[i];
    out.push(p.size > a.size ? { ...a, size: p.size, truncated: true } : a);
  }
  for (const p of parts.slice(next)) {
    out.push({
      type: kindOf(p.contentType),
      contentType: p.contentType.slice(0, 200),
      ...(p.name ? { name: p.name.slice(0, 1000) } : {}),
      size: p.size,
      truncated: true,
    });
  }
  return out.slice(0, 50);
}
