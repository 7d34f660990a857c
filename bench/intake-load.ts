import autocannon from 'autocannon';
import { signHubspotV3 } from '../connectors/hubspot/signature';

/**
 * The webhook intake benchmark's load generator, forked as a process of its own so that it never shares an event
 * loop with the server it measures. It signs every delivery before the clock starts: distinct event ids, so nothing
 * is a duplicate, and each autocannon connection gets its own slice (a connection replays its list from the start).
 */

export interface LoadOrder {
  url: string;
  /** The URI HubSpot would sign (the servers are told the same public URL). */
  signedUri: string;
  secret: string;
  amount: number;
  connections: number;
  firstEventId: number;
}

export interface LoadResult {
  seconds: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  acceptedPerSecond: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
  /** The load generator's own CPU time during the load (it shares the machine with the server and PostgreSQL). */
  cpuSeconds: number;
}

function signedDeliveries(order: LoadOrder, count: number, first: number): autocannon.Request[] {
  const path = new URL(order.url).pathname;
  return Array.from({ length: count }, (_, i) => {
    const eventId = first + i;
    const body = JSON.stringify([{ eventId, subscriptionType: 'contact.propertyChange', objectId: 100_000 + (eventId % 50_000), portalId: 62515,
      occurredAt: Date.now(), propertyName: 'lifecyclestage', propertyValue: 'lead', changeSource: 'CRM', attemptNumber: 0 }]);
    const timestamp = Date.now();
    return {
      method: 'POST', path, body,
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': String(timestamp),
        'x-hubspot-signature-v3': signHubspotV3(order.secret, 'POST', order.signedUri, body, timestamp),
      },
    };
  });
}

export async function runLoad(order: LoadOrder): Promise<LoadResult> {
  // autocannon gives connection i floor(amount/connections) requests, one more to the first amount % connections.
  const perConnection = Math.ceil(order.amount / order.connections);
  const slices = Array.from({ length: order.connections }, (_, i) => signedDeliveries(order, perConnection, order.firstEventId + i * perConnection));
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: order.url, connections: order.connections, pipelining: 1, amount: order.amount, timeout: 30,
    setupClient: (client) => client.setRequests(slices[next++ % slices.length]!),
  });
  return {
    seconds: result.duration,
    ok2xx: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
    acceptedPerSecond: Math.round(result['2xx'] / result.duration),
    p50ms: result.latency.p50, p90ms: result.latency.p90, p99ms: result.latency.p99, maxMs: result.latency.max,
    cpuSeconds: (() => {
      const { user, system } = process.cpuUsage(cpuBefore);
      return Math.round((user + system) / 1e4) / 100;
    })(),
  };
}

if (require.main === module) {
  process.once('message', (order: LoadOrder) => {
    runLoad(order).then(
      (result) => process.send!(result, () => process.exit(0)),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
