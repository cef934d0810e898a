import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { InboundMessageSchema } from '../ingest/inbound.schema.js';
import { sentAtUnbelievable } from '../ingest/inbound.time.js';
import {
  decodeHtmlEntities,
  hasAgentSignature,
  loadTwcs,
  parseTwcsText,
  parseTwitterDate,
  TwcsJoinedRowsError,
  TwcsUnclosedQuoteError,
} from './twcs.js';

const DATA = new URL('../../../shared/data/twcs/', import.meta.url);
const FULL = new URL('twcs_first5000.csv', DATA).pathname;
const TELECOM = new URL('twcs_first5000_telecom_threads.csv', DATA).pathname;
const haveData = existsSync(FULL) && existsSync(TELECOM);
if (!haveData) console.log(`skipping twcs real-data tests: ${DATA.pathname} is absent`);

// TypeBox checks `format` only for registered formats; the server registers its own, a unit test
// registers a strict RFC 3339 check if nobody did.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set(
    'date-time',
    (v) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
  );
}

const HEADER =
  'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n';

describe('twcs text helpers', () => {
  it('decodes entities once, leaving unknown ones and masks alone', () => {
    expect(decodeHtmlEntities('a &gt; b &lt; c &amp; d &quot;e&quot; &#39;f&#39; &#x1F600;')).toBe(
      'a > b < c & d "e" \'f\' 😀',
    );
    expect(decodeHtmlEntities('&amp;gt; stays &gt;')).toBe('&gt; stays >');
    expect(decodeHtmlEntities('&bogus; __email__ &#0;')).toBe('&bogus; __email__ &#0;');
  });

  it('parses the Twitter date format with its offset', () => {
    expect(
      new Date(parseTwitterDate('Tue Oct 31 22:10:47 +0000 2017') as number).toISOString(),
    ).toBe('2017-10-31T22:10:47.000Z');
    expect(
      new Date(parseTwitterDate('Tue Oct 31 22:10:47 -0130 2017') as number).toISOString(),
    ).toBe('2017-10-31T23:40:47.000Z');
    expect(parseTwitterDate('Tue Feb 31 22:10:47 +0000 2017')).toBeNull();
    expect(parseTwitterDate('yesterday')).toBeNull();
  });

  it('recognises agent signatures but not route codes or plain words', () => {
    expect(hasAgentSignature('Are you on wireless?\n^JAY')).toBe(true);
    expect(hasAgentSignature('Please DM us. -KC')).toBe(true);
    expect(hasAgentSignature('Like this\n^JAY https://t.co/abc')).toBe(true);
    expect(hasAgentSignature('flight BOM-LHR')).toBe(false);
    expect(hasAgentSignature('this is the WORST')).toBe(false);
  });
});

describe('twcs malformed input', () => {
  it('skips bad records with counted warnings and never throws', async () => {
    const csv =
      HEADER +
      '1,100,True,Tue Oct 31 22:10:47 +0000 2017,fine,,\n' +
      '2,100,True,not a date,bad date,,\n' +
      '3,100,Maybe,Tue Oct 31 22:10:47 +0000 2017,bad flag,,\n' +
      'x4,100,True,Tue Oct 31 22:10:47 +0000 2017,bad id,,\n' +
      '5,100,True\n' +
      '1,100,True,Tue Oct 31 22:10:47 +0000 2017,duplicate,,\n' +
      '6,brand,False,Tue Oct 31 22:11:47 +0000 2017,"reply with ""quotes""",,1.0\n' +
      '7,100,True,Tue Oct 31 22:12:47 +0000 2017,"two\r\nlines",,6,extra\n';
    const r = await parseTwcsText(csv);
    expect(r.rows.map((x) => x.tweetId)).toEqual(['1', '6']);
    expect(r.rows[1].inResponseToTweetId).toBe('1');
    expect(r.rows[1].text).toBe('reply with "quotes"');
    expect(r.skipped).toBe(6);
    expect(r.warnings).toHaveLength(6);
    // Each says where in the file, and a record over several lines says which.
    expect(r.warnings.map((w) => w.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(r.warnings[5].message).toBe('expected 7 fields, found 8 (lines 9–10)');
  });

  it('fails on a quote never closed, naming its line and tweet, instead of losing the rest', async () => {
    const row = (id: number, text: string) =>
      `${id},${id + 100},True,Tue Oct 31 22:1${id}:47 +0000 2017,${text},,\n`;
    const csv =
      HEADER +
      row(1, 'first') +
      row(2, '"quoted, fine"') +
      '\n' +
      row(3, 'third') +
      row(4, '"unclosed stray quote') +
      row(5, 'fifth') +
      row(6, 'sixth');
    const err = await parseTwcsText(csv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwcsUnclosedQuoteError);
    expect(err).toMatchObject({ line: 6, tweetId: '4' });
    expect((err as Error).message).toBe(
      'line 6: a quote opened in this record (tweet 4) is never closed, so the rest of the file from there cannot be read as rows; nothing was imported. Close or remove the quote and import again',
    );
    // The same from a file, whose name it gives.
    const dir = mkdtempSync(join(tmpdir(), 'twcs-'));
    try {
      const file = join(dir, 'odd.csv');
      writeFileSync(file, csv.replaceAll('\n', '\r\n'));
      await expect(loadTwcs(file)).rejects.toThrow(
        `${file}: line 6: a quote opened in this record (tweet 4) is never closed`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a stray quote closed by a later row, naming both lines, instead of joining the rows', async () => {
    const row = (id: number, text: string, tail = ',,') =>
      `${id},${id + 100},True,Tue Oct 31 22:1${id}:47 +0000 2017,${text}${tail}\n`;
    const joinedMessage =
      'line 3: a quote opened in this record (tweet 2) is closed only by a later row, so the row on line 4 (tweet 3) and any after it up to the closing quote were read as part of one field; nothing was imported. Close or remove the quote and import again';
    // The closing quote leaves the joined record with its 7 columns: nothing was skipped before.
    const sevenColumns =
      HEADER + row(1, 'first') + row(2, '"stray quote') + row(3, 'third') + row(4, 'she said "hi"');
    const err = await parseTwcsText(sevenColumns + row(5, 'fifth')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwcsJoinedRowsError);
    expect(err).toMatchObject({ line: 3, tweetId: '2', joinedLine: 4, joinedTweetId: '3' });
    expect((err as Error).message).toBe(joinedMessage);
    // A join that broke the column count fails the same way, rather than being one skipped record.
    const extraColumn = `${HEADER}${row(1, 'first')}${row(2, '"stray')}${row(3, 'closed here"', ',,,')}`;
    await expect(parseTwcsText(extraColumn)).rejects.toThrow(joinedMessage);
    // Whole rows inside one quoted field, in the last column.
    const quoted = `${HEADER}${row(1, 'first')}${row(2, 'x', ',,"')}${row(3, 'third')}${row(4, 'fourth', ',,1"')}`;
    await expect(parseTwcsText(quoted)).rejects.toThrow(joinedMessage);
    // From a CRLF file, through the loader the command uses, with the file's name.
    const dir = mkdtempSync(join(tmpdir(), 'twcs-'));
    try {
      const file = join(dir, 'joined.csv');
      writeFileSync(file, `\n${sevenColumns}`.replaceAll('\n', '\r\n'));
      await expect(loadTwcs(file)).rejects.toThrow(
        `${file}: line 4: a quote opened in this record (tweet 2) is closed only by a later row, so the row on line 5 (tweet 3)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps multi-line quoted tweets whose lines start with numbers and commas', async () => {
    const text =
      '2,000 users, no service\n3,104,True again, still down\n12,30 pm, Tue Oct 31\n\n4,5';
    const r = await parseTwcsText(
      `${HEADER}1,100,True,Tue Oct 31 22:10:47 +0000 2017,"${text}",,\n` +
        '2,100,True,Tue Oct 31 22:11:47 +0000 2017,next,,1\n',
    );
    expect(r.rows.map((x) => [x.tweetId, x.text])).toEqual([
      ['1', text],
      ['2', 'next'],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('skips a date before 2000 as the inbound API and replay refuse it, with their reason', async () => {
    const r = await parseTwcsText(
      `${HEADER}1,100,True,Tue Oct 31 22:13:47 +0000 1995,old clock,,\n` +
        '2,100,True,Fri Dec 31 23:59:59 +0000 1999,still old,,\n' +
        '3,100,True,Sat Jan 01 00:00:00 +0000 2000,first believed,,\n',
    );
    expect(r.rows.map((x) => x.tweetId)).toEqual(['3']);
    expect(r.skipped).toBe(2);
    expect(r.warnings[0]).toEqual({
      recordNo: 1,
      line: 2,
      message: `bad created_at "Tue Oct 31 22:13:47 +0000 1995" in tweet 1: ${sentAtUnbelievable('1995-10-31T22:13:47.000Z')}`,
    });
    expect(r.warnings[0].message).toMatch(/before 2000-01-01/);
  });

  it('warns once for each row that held bytes not valid UTF-8, naming its tweet, and keeps it', async () => {
    const csv = Buffer.concat([
      Buffer.from(`${HEADER}900001,100,True,Tue Oct 31 22:10:47 +0000 2017,fine,,\n`),
      Buffer.from(
        '900003,100,True,Tue Oct 31 22:11:47 +0000 2017,"caf\xe9 latin1 b\xfft\xe9s",,\n',
        'latin1',
      ),
      // A real U+FFFD, written as UTF-8, is text like any other.
      Buffer.from('900004,100,True,Tue Oct 31 22:12:47 +0000 2017,replacement \uFFFD char,,\n'),
    ]);
    const expected = {
      recordNo: 2,
      line: 3,
      message:
        'tweet 900003 held bytes that are not valid UTF-8, read as U+FFFD (\uFFFD): save the file as UTF-8',
    };
    const r = await parseTwcsText(csv);
    expect(r.rows.map((x) => x.tweetId)).toEqual(['900001', '900003', '900004']);
    expect(r.rows[1].text).toBe('caf\uFFFD latin1 b\uFFFDt\uFFFDs');
    expect(r.skipped).toBe(0);
    expect(r.warnings).toEqual([expected]);
    // From a file, through the warning callback the command prints with.
    const dir = mkdtempSync(join(tmpdir(), 'twcs-'));
    try {
      const file = join(dir, 'latin1.csv');
      writeFileSync(file, csv);
      const seen: unknown[] = [];
      const loaded = await loadTwcs(file, { onWarning: (w) => seen.push(w) });
      expect(loaded.messages).toHaveLength(3);
      expect(seen).toEqual([expected]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a bare CR inside an unquoted field (as pandas wrote tweet 3399)', async () => {
    const r = await parseTwcsText(`${HEADER}1,100,True,Tue Oct 31 22:10:47 +0000 2017,a\r\rb,,\n`);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].text).toBe('a\r\rb');
  });

  it('refuses a file that is not twcs at all with a clear error', async () => {
    await expect(parseTwcsText('a,b,c\n1,2,3\n')).rejects.toThrow(/not a twcs CSV/);
  });
});

describe.skipIf(!haveData)('twcs on the real sample files', () => {
  it('reads all 5,000 rows of the head, with the counts from SOURCES.md', async () => {
    const r = await loadTwcs(FULL);
    expect(r.messages).toHaveLength(5000);
    expect(r.skipped).toBe(0);
    expect(r.rows.filter((x) => x.inbound)).toHaveLength(2778);
    expect(r.rows.filter((x) => !x.inbound)).toHaveLength(2222);
    for (const m of r.messages) expect(Value.Check(InboundMessageSchema, m)).toBe(true);
    expect(new Set(r.messages.map((m) => m.externalId)).size).toBe(5000);
  });

  it('parses tweet 3399 (bare CRs) as one message and decodes entities', async () => {
    const r = await loadTwcs(FULL);
    const m = r.messages.find((x) => x.externalId === '3399');
    expect(m?.text).toBe(
      '@AskPayPal \n\nI just love the start of email 😁 https://t.co/8u1Pf5rJoN',
    );
    expect(m?.sentAt).toBe('2017-10-31T18:13:06.000Z');
    const rawWithEntities = r.rows.filter((x) => /&(gt|lt|amp);/.test(x.text));
    expect(rawWithEntities.length).toBeGreaterThan(100);
    const byId = new Map(r.messages.map((x) => [x.externalId, x]));
    for (const row of rawWithEntities)
      expect(byId.get(row.tweetId)?.text).not.toMatch(/&(gt|lt|amp);/);
    // Masks, emoji and real newlines survive untouched.
    expect(r.messages.some((x) => x.text.includes('__email__'))).toBe(true);
    expect(r.messages.some((x) => /\p{Extended_Pictographic}/u.test(x.text))).toBe(true);
    expect(r.messages.some((x) => x.text.includes('\n'))).toBe(true);
  });

  it('yields every parent before its replies, in time order otherwise', async () => {
    for (const file of [FULL, TELECOM]) {
      const r = await loadTwcs(file);
      const position = new Map(r.messages.map((m, i) => [m.externalId, i]));
      let checked = 0;
      r.messages.forEach((m, i) => {
        if (m.inReplyTo !== undefined && position.has(m.inReplyTo)) {
          expect(position.get(m.inReplyTo)).toBeLessThan(i);
          checked++;
        }
        if (i > 0)
          expect(Date.parse(m.sentAt)).toBeGreaterThanOrEqual(Date.parse(r.messages[i - 1].sentAt));
      });
      expect(checked).toBeGreaterThan(file === FULL ? 3000 : 500);
    }
  });

  it('finds the 199 threads of the telecom file, matching its thread_id column', async () => {
    const r = await loadTwcs(TELECOM);
    expect(r.messages).toHaveLength(818);
    expect(r.threads.threads.size).toBe(199);
    // Same partition: each of our threads maps to exactly one thread_id and vice versa.
    const ourToTheirs = new Map<string, Set<string>>();
    const theirsToOurs = new Map<string, Set<string>>();
    for (const row of r.rows) {
      const ours = r.threads.threadOf.get(row.tweetId) as string;
      const theirs = row.record.thread_id;
      if (!ourToTheirs.has(ours)) ourToTheirs.set(ours, new Set());
      if (!theirsToOurs.has(theirs)) theirsToOurs.set(theirs, new Set());
      ourToTheirs.get(ours)?.add(theirs);
      theirsToOurs.get(theirs)?.add(ours);
    }
    expect([...ourToTheirs.values()].every((s) => s.size === 1)).toBe(true);
    expect([...theirsToOurs.values()].every((s) => s.size === 1)).toBe(true);
    // The extra columns are tolerated and kept in raw.
    expect(r.messages[0].raw).toHaveProperty('telecom_brands');
  });

  it('knows the brand accounts of SOURCES.md and maps their tweets to direction out', async () => {
    const r = await loadTwcs(FULL);
    const telecom: Record<string, number> = {
      comcastcares: 82,
      TMobileHelp: 77,
      VerizonSupport: 62,
      sprintcare: 32,
      Ask_Spectrum: 29,
      CoxHelp: 29,
      CenturyLinkHelp: 19,
      BoostCare: 6,
      airtel_care: 4,
      idea_cares: 3,
      Safaricom_Care: 3,
      GloCare: 2,
      O2: 2,
      USCellularCares: 1,
    };
    for (const [brand, replies] of Object.entries(telecom)) {
      expect(r.brands.has(brand)).toBe(true);
      expect(r.messages.filter((m) => m.author.id === brand && m.direction === 'out')).toHaveLength(
        replies,
      );
    }
    expect(r.brands.has('ATTCares')).toBe(false);
    expect(r.brands.has('XfinitySupport')).toBe(false);
    // SOURCES.md says 75 brand accounts; the file has 76 distinct inbound=False authors.
    expect(r.brands.size).toBeGreaterThanOrEqual(75);
    for (const b of r.brands) expect(b).not.toMatch(/^\d+$/);
  });

  it('marks the anonymised Verizon agent 115722 (^JAY) as brand side', async () => {
    const r = await loadTwcs(FULL);
    expect([...r.agents.authors].sort()).toEqual(['115722', '115793', '117042', '117248']);
    expect(r.agents.evidenceTweetIds.size).toBe(8);
    const jay = r.messages.filter((m) => m.author.id === '115722');
    expect(jay.length).toBe(6);
    expect(jay.every((m) => m.direction === 'out')).toBe(true);
    // The customer they answer stays a customer.
    expect(
      r.messages.filter((m) => m.author.id === '115721').every((m) => m.direction === 'in'),
    ).toBe(true);
    expect(r.messages.filter((m) => m.direction === 'out')).toHaveLength(2222 + 9);
    const without = await loadTwcs(FULL, { detectAnonymisedAgents: false });
    expect(without.messages.filter((m) => m.direction === 'out')).toHaveLength(2222);
  });
});
