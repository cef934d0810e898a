import type { Logger } from 'pino';
import type { Sender } from '../channels/sender.js';

/** Channels the demo's simulated customers write on (a call cannot be answered in writing). */
const DEMO_CHANNELS = ['x', 'facebook', 'instagram', 'whatsapp', 'email', 'sms', 'webchat', 'api'];

/**
 * In the demo workspace the customers are simulated, so nothing sent to them can reach a real
 * provider. Rather than retrying every reply and survey for hours (and filling the log with
 * "no sender" warnings), a message no configured channel can carry is recorded as sent by the
 * demo, with a `demo-` provider id that says so. Messages a real, configured channel can carry
 * (a channel added to the demo desk) still go through it. Changes the map in place: the outbox
 * and the problem notifier share it.
 */
export function enableDemoDelivery(senders: Map<string, Sender>, logger?: Logger): void {
  for (const kind of DEMO_CHANNELS) {
    const real = senders.get(kind);
    if ((real as DemoAware | undefined)?.demoAware) continue;
    const sender: DemoAware = async (msg, key) => {
      // The real sender says whether it can carry this message (X and Meta need the channel
      // record the conversation arrived on, which simulated cases lack; email and SMS need a
      // configured mailbox or number).
      if (real && (!real.ready || (await real.ready(msg)))) return real(msg, key);
      logger?.debug({ messageId: msg.messageId, channel: kind }, 'demo: delivery simulated');
      return { externalId: `demo-${msg.messageId}` };
    };
    sender.demoAware = true;
    senders.set(kind, sender);
  }
}

type DemoAware = Sender & { demoAware?: true };
