import { describe, expect, it } from 'vitest';
import { newPartOf } from './email.quote.js';

const ATTRIBUTION = 'On Mon, 1 Jun 2026 at 09:00, Acme Support <support@acme.test> wrote:';

/** Quote stripping cuts a trailing quotation only; the customer's own words all stay. */
describe('what the customer wrote this time', () => {
  it('cuts a trailing quotation below an attribution, with a signature after it', () => {
    expect(newPartOf(`Still broken.\n\n${ATTRIBUTION}\n> Is it fixed?\n>\n> Acme`)).toBe(
      'Still broken.',
    );
    expect(newPartOf(`Still broken.\n\n${ATTRIBUTION}\n> Is it fixed?\n\n-- \nAna Lima`)).toBe(
      'Still broken.',
    );
  });

  it('keeps answers written between the quoted lines, and the quotes they answer', () => {
    const inline = `Hi,\nsee inline.\n\n${ATTRIBUTION}\n> Hello Ana, what is your account number?\nIt is 998877.\n> Which router model?\nThe X200.`;
    expect(newPartOf(inline)).toBe(inline);
    const bottom = `${ATTRIBUTION}\n> What is your account number?\n\nIt is 12345 and the router still drops.`;
    expect(newPartOf(bottom)).toBe(bottom);
  });

  it('cuts a quotation whose attribution line is quoted too', () => {
    expect(
      newPartOf('service is down for everyone\n\n> On Mon, Vireo Support wrote:\n> Thank you.'),
    ).toBe('service is down for everyone');
    // Without an attribution, > lines stay the customer's own.
    expect(newPartOf('service is down\n> Thank you.')).toBe('service is down\n> Thank you.');
  });

  it("keeps the customer's own > lines and an 'On … wrote:' of their story", () => {
    const speed = 'Speed test shows:\n> 100 ms ping\n>50% packet loss\nPlease fix.';
    expect(newPartOf(speed)).toBe(speed);
    const story = 'On Monday your technician wrote:\nwe will come Tuesday. Nobody came. Refund me.';
    expect(newPartOf(story)).toBe(story);
  });

  it('takes From:/To: lines for a quoted header block only when they look like one', () => {
    const parcel =
      'My parcel did not arrive.\nFrom: Berlin warehouse\nTo: Hamburg\nIt has been stuck 10 days, please refund.';
    expect(newPartOf(parcel)).toBe(parcel);
    const outlook =
      'Thanks!\r\n\r\nFrom: Kestrel Care <care@kestrel.example>\r\nSent: Monday, December 1, 2026 10:00\r\nTo: Ana\r\nSubject: Re: x\r\n\r\nIs it fixed?';
    expect(newPartOf(outlook)).toBe('Thanks!');
    // Outlook without the address, below its rule line; an HTML <hr> turned into dashes.
    const ruled = `Still broken!\n\n${'_'.repeat(32)}\nFrom: Kestrel Care\nSent: Monday\nTo: Ana\nSubject: Help\n\nHave you tried rebooting?`;
    expect(newPartOf(ruled)).toBe('Still broken!');
    expect(newPartOf('Still broken!\n\n-----Original Message-----\nFrom: Acme\nOld text')).toBe(
      'Still broken!',
    );
  });

  it('keeps a forwarded message below the note, marked by its separator', () => {
    const forward =
      'Please look at this, it is wrong!\n\n---------- Forwarded message ---------\nFrom: Billing <billing@acme.test>\nDate: Mon, 1 Jun 2026\nSubject: Your invoice\nTo: <ana@cust.test>\n\nYou owe 500 EUR.';
    expect(newPartOf(forward, 'Fwd: Your invoice')).toBe(forward);
    // Outlook forwards with a bare header block: the FW: subject says it is no quotation.
    const outlookForward =
      'See below, wrong again.\n\nFrom: Billing <billing@acme.test>\nSent: Monday\nTo: Ana\nSubject: Your invoice\n\nYou owe 500 EUR.';
    expect(newPartOf(outlookForward, 'FW: Your invoice')).toBe(outlookForward);
    expect(newPartOf(outlookForward, 'Re: Your invoice')).toBe('See below, wrong again.');
  });

  it('cuts after "-- "; after a bare "--" only a short signature, never sentences', () => {
    expect(newPartOf('Works now.\n\n-- \nAna Lima\nACME Ltd')).toBe('Works now.');
    expect(newPartOf('Works now.\n--\nAna Lima\nACME Ltd\n+49 30 1234567')).toBe('Works now.');
    const bill = 'My bill is wrong.\n--\nI was charged twice for June, see below.';
    expect(newPartOf(bill)).toBe(bill);
    const long = `My bill is wrong.\n--\n${'June was charged twice\n'.repeat(8)}`.trim();
    expect(newPartOf(long)).toBe(long);
  });

  it('drops a trailing "Sent from my …", and keeps a mail that is only a quotation', () => {
    expect(newPartOf('Hi\n> quoted\nbelow\n\nSent from my iPhone')).toBe('Hi\n> quoted\nbelow');
    const only = 'Am 1. Dez. 2026 um 10:00 schrieb Kestrel Care <c@k.example>:\n> alt';
    expect(newPartOf(only)).toBe(only);
  });
});
