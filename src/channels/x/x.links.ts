/**
 * The DM deep link for a public → private handoff: a public reply carrying it opens a DM
 * composer addressed to our account, optionally prefilled (developer.x.com, "Direct Message deep
 * link"). The case stays one case: the customer's DM joins their open case by identity.
 */
export function xDmDeepLink(accountId: string, text?: string): string {
  const url = new URL('https://twitter.com/messages/compose');
  url.searchParams.set('recipient_id', accountId);
  if (text) url.searchParams.set('text', text);
  return url.toString();
}
