import { describe, expect, it } from 'vitest';
import { isClosingReply } from './closing.js';
import { classify } from './index.js';

const withTriage = (text: string) => isClosingReply(text, classify({ text, channel: 'sms' }));

describe('a closing reply (thanks, or "works now", and nothing else to act on)', () => {
  const replies: [string, boolean][] = [
    // Closing: nothing left to do.
    ['Thanks!', true],
    ['Working again. Thanks.', true],
    ["It's working again, thanks so much 🙏", true],
    ['@KestrelHelp all sorted now, cheers', true],
    ['great, thank you', true],
    ['Back online, thank you for the quick fix!', true],
    ['That did the trick. Much appreciated.', true],
    ['Hi,\n\nEverything is working fine now. Thank you!\n\nBest,\nJason Thompson', true],
    [
      '[Voicemail transcript] Hi, this is Brianna Anderson. Working again. Appreciate it. Thanks, bye.',
      true,
    ],
    ['ok thx', true],
    ['All good now, no more issues 👍', true],
    ['Thank you’s all fixed', true],
    // Something to act on: the case reopens as before.
    ['Thanks but it is still not working', false],
    ['thanks, working now. Why was I charged twice though?', false],
    ['Thanks. Can you also check my bill?', false],
    ['thank you. It is NOT fixed.', false],
    ['Thanks for nothing', false],
    ['Still down. Thanks.', false],
    // A bare acknowledgement closes (issue 6 QA: "ok" and "👍" to a fix notice reopened the
    // waiting case, so it never resolved after the quiet period); "back" alone still does not.
    ['ok', true],
    ["I'm back", false],
    ['I moved house last week, thanks', false],
    ['Thanks, my account number is 29974091 and the router model is AX3000', false],
    ['great, down again', false],
    ['thanks for the 3 hour wait', false],
    ['Working again? No, it is not.', false],
    ['', false],
  ];

  it.each(replies)('%j → %s', (text, closing) => {
    expect(withTriage(text)).toBe(closing);
  });

  // Issue 6 QA: replies to a fix notice that moved a waiting case back to open.
  const more: [string, boolean][] = [
    ['👍', true],
    ['👌', true],
    ['🙏', true],
    ['okay', true],
    ['k', true],
    ['thx', true],
    ['ok 👍', true],
    ['¡Ya funciona, gracias!', true],
    ['Todo bien ahora, gracias equipo', true],
    ['Gracias por su ayuda, ya funciona', true],
    ['Funktioniert wieder, danke!', true],
    ['Ça remarche, merci beaucoup', true],
    ['Merci encore !', true],
    ['Já voltou, obrigado!', true],
    ['Ora funziona, grazie mille', true],
    ["it's back, thanks", true],
    ['Thanks, all good now 👍', true],
    ['Works now thanks', true],
    // More to it, in any language.
    ['ok but still no signal', false],
    ['👎', false],
    ['no funciona, gracias', false],
    ['sigue sin funcionar, gracias', false],
    ['danke, aber noch kein Netz', false],
    ['merci mais toujours pas de réseau', false],
    ['obrigado, mas ainda sem sinal', false],
    ['grazie, ma ancora non funziona', false],
    ['ok, why was I charged twice?', false],
  ];
  it.each(more)('%j → %s (acknowledgements, other languages)', (text, closing) => {
    expect(withTriage(text)).toBe(closing);
  });

  it('is not a closing reply when triage says complaint or negative, whatever the words', () => {
    const text = 'Working again. Thanks.';
    const tri = classify({ text, channel: 'sms' });
    expect(isClosingReply(text, { ...tri, complaint: true })).toBe(false);
    expect(isClosingReply(text, { ...tri, sentiment: -0.4 })).toBe(false);
    expect(isClosingReply(text, null)).toBe(true);
  });

  it('gives up on long texts (a closing reply is short)', () => {
    expect(isClosingReply(`Thanks! ${'thanks '.repeat(80)}`)).toBe(false);
  });
});
