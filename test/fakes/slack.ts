import { startFake } from '../../src/integrations/testing/fake-server.js';

/**
 * Fake Slack incoming webhook: POST /services/… with a JSON message answers 200 "ok"; a body
 * that is not a JSON object is 400 "invalid_payload", one without `text` or `blocks` is 400
 * "no_text", one with a section text over 3,000 characters 400 "invalid_blocks" (Slack's
 * plain-text error answers).
 */
export function startFakeSlack() {
  return startFake((r) => {
    if (r.method !== 'POST' || !r.path.startsWith('/services/')) return { status: 404 };
    const b = r.body as { text?: unknown; blocks?: unknown } | null;
    if (!b || typeof b !== 'object' || Array.isArray(b))
      return { status: 400, body: 'invalid_payload' };
    const hasText = typeof b.text === 'string' && b.text.trim() !== '';
    const hasBlocks = Array.isArray(b.blocks) && b.blocks.length > 0;
    if (!hasText && !hasBlocks) return { status: 400, body: 'no_text' };
    if (b.blocks !== undefined && !Array.isArray(b.blocks))
      return { status: 400, body: 'invalid_blocks' };
    // Block Kit: a section's text is at most 3,000 characters, or the message is refused.
    const sections = (Array.isArray(b.blocks) ? b.blocks : []) as { text?: { text?: unknown } }[];
    if (sections.some((s) => typeof s.text?.text === 'string' && s.text.text.length > 3000))
      return { status: 400, body: 'invalid_blocks' };
    return { status: 200, body: 'ok' };
  });
}
