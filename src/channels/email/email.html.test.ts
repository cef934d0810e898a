import { describe, expect, it } from 'vitest';
import { hiddenUrlsOf } from './email.html.js';
import { classifyMail } from './email.parse.js';

const ctx = { channelId: 'ch-1', ownAddresses: new Set(['care@acme.test']) };
const htmlMail = (html: string, type = 'text/html; charset=utf-8') =>
  Buffer.from(
    [
      'From: Ana <ana@cust.test>',
      'To: care@acme.test',
      'Subject: Help',
      'Message-ID: <html-1@cust.test>',
      'MIME-Version: 1.0',
      `Content-Type: ${type}`,
      '',
      html,
      '',
    ].join('\r\n'),
  );
const textOf = async (raw: Buffer) => {
  const c = await classifyMail(raw, ctx);
  if (c.kind !== 'message') throw new Error(`expected a message, got ${c.kind}`);
  return c.message.text;
};

describe('the text of an HTML-only mail', () => {
  it('drops tracking pixels, image URLs and javascript:/data: links; keeps http(s) links', async () => {
    const html = [
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>',
      '<p>My router is broken</p>',
      '<img src="https://track.test/pixel.gif?u=1&amp;v=2" width=1 height=1>',
      '<img alt="Speed test" src="https://cdn.test/speed.png">',
      '<a href="javascript:alert(1)">click</a> <a href=" JavaScript:alert([1])">here</a>',
      '<a href="java&#9;script:alert(2)">or</a> <a href="data:text/html;base64,PHNjcmlwdD4=">there</a>',
      '<a href="https://status.acme.test/outage">status page</a>',
      '<iframe src="https://evil.test"></iframe></body></html>',
    ].join('');
    const text = await textOf(htmlMail(html));
    expect(text).toContain('My router is broken');
    expect(text).toContain('Speed test');
    expect(text).toMatch(/status page\s+\[https:\/\/status\.acme\.test\/outage\]/);
    expect(text).not.toMatch(/track\.test|cdn\.test|javascript|data:|evil|alert/i);
    expect(text).toMatch(/click here\s+or there/);
  });

  it('leaves the brackets of a plain-text part alone', async () => {
    const plain = 'See [https://cdn.test/speed.png] and [docs]';
    expect(await textOf(htmlMail(plain, 'text/plain; charset=utf-8'))).toBe(plain);
  });

  it('names the image sources and the links that run or embed content', () => {
    expect(
      hiddenUrlsOf(
        `<IMG SRC='https://t.test/p?a=1&amp;b=2'><a href=https://ok.test>x</a><a href="vbscript:x">y</a>`,
      ),
    ).toEqual(['https://t.test/p?a=1&b=2', 'vbscript:x']);
  });
});
