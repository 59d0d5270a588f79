// One PhysicianDelivery over the fax/Direct gateway with the e-mail secure link as fallback: a request naming
// `email`, or one whose office has neither a fax number nor a Direct address, goes by e-mail; every other goes
// to the gateway. Delivery ids tell the two apart (`em_…` is the e-mail adapter's); returns come from the gateway.
import { PhysicianDeliveryNoRoute } from './errors.js';
import type { DeliveryChannel, PhysicianDelivery } from './types.js';

/** The gateway, with the e-mail adapter (if configured) as the fallback. */
export function routedPhysicianDelivery(
  gateway: PhysicianDelivery,
  email?: PhysicianDelivery,
): PhysicianDelivery {
  const channels: DeliveryChannel[] = [...gateway.channels, ...(email?.channels ?? [])];
  return {
    channels,
    async send(req, opts) {
      const byEmail =
        req.channel === 'email' || (!req.channel && !req.recipient.fax && !req.recipient.directAddress);
      if (!byEmail) return gateway.send(req, opts);
      if (!email) throw new PhysicianDeliveryNoRoute('No e-mail delivery is configured.');
      return email.send(req, opts);
    },
    status: (deliveryId, opts) =>
      email && deliveryId.startsWith('em_')
        ? email.status(deliveryId, opts)
        : gateway.status(deliveryId, opts),
    listReturns: (after, opts) => gateway.listReturns(after, opts),
    acknowledgeReturns: (ids, opts) => gateway.acknowledgeReturns(ids, opts),
  };
}
