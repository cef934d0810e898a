import { describe, expect, it } from 'vitest';
import { SMS_MAX, smsLength, smsTooLong } from './sms.length.js';

describe('SMS length as Twilio counts it', () => {
  it('counts GSM-7 per character, its escape table as two, and splits at 160/153', () => {
    expect(smsLength('Hello @ £5')).toEqual({ encoding: 'GSM-7', units: 10, segments: 1 });
    expect(smsLength('{€}')).toMatchObject({ encoding: 'GSM-7', units: 6 });
    expect(smsLength('a'.repeat(160)).segments).toBe(1);
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
  });

  it('goes UCS-2 on any other character: UTF-16 units count, split at 70/67', () => {
    expect(smsLength('Çà va’')).toMatchObject({ encoding: 'UCS-2', units: 6, nonGsm: '’' });
    // An emoji outside the BMP is two UTF-16 units.
    expect(smsLength('ok 👍')).toMatchObject({ encoding: 'UCS-2', units: 5, segments: 1 });
    expect(smsLength('漢'.repeat(70)).segments).toBe(1);
    expect(smsLength('漢'.repeat(71)).segments).toBe(2);
  });

  it('refuses 1,000 emoji (2,000 units) though they are 1,000 code points', () => {
    expect(smsTooLong('😀'.repeat(800))).toBeUndefined();
    expect(smsTooLong('😀'.repeat(801))).toMatch(
      /this one has 1602 \(it goes as UCS-2 because of "😀"/,
    );
    expect(smsTooLong('😀'.repeat(1000))).toMatch(/at most 1600/);
    expect(smsTooLong('a'.repeat(SMS_MAX))).toBeUndefined();
    expect(smsTooLong(`${'a'.repeat(SMS_MAX - 1)}€`)).toMatch(/has 1601: shorten it$/);
  });
});
