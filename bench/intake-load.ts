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

/**
 * Runs the load and measures it from the moment every connection is set up. autocannon builds each connection's
 * requests (here a slice of pre-signed deliveries) when it creates the connection, while the first connections are
 * already sending: 60,000 deliveries took about 0.7 s of building inside its own clock, which is a quarter of a fast
 * server's run, and inflated the latency of the first requests. And it ends a run only at its next sample tick
 * (once a second), so its duration was rounded up to whole seconds. So throughput and latency are taken from the
 * answers between the last connection's set-up and the last answer (autocannon's counts still check that every
 * request was answered).
 */
export async function runLoad(order: LoadOrder): Promise<LoadResult> {
  // autocannon gives connection i floor(amount/connections) requests, one more to the first amount % connections.
  const perConnection = Math.ceil(order.amount / order.connections);
  const slices = Array.from({ length: order.connections }, (_, i) => signedDeliveries(order, perConnection, order.firstEventId + i * perConnection));
  let next = 0;
  let setUpAt: number | undefined;
  const latencies: number[] = [];
  let measured2xx = 0;
  let lastAnswerAt = 0;
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: order.url, connections: order.connections, pipelining: 1, amount: order.amount, timeout: 30,
      setupClient: (client) => {
        client.setRequests(slices[next++ % slices.length]!);
        // Set-up runs synchronously per connection; once the last one is done, the next turn starts the window.
        if (next === order.connections) setImmediate(() => (setUpAt = performance.now()));
      },
    }, (err, done) => (err ? reject(err) : resolve(done)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (setUpAt === undefined || statusCode < 200 || statusCode >= 300) return;
      measured2xx++;
      lastAnswerAt = performance.now();
      // A request sent during the set-up waited for it: its latency is the set-up's, not the server's.
      if (lastAnswerAt - responseTime >= setUpAt) latencies.push(responseTime);
    });
  });
  // Up to the last answer: autocannon notices that the amount is reached only at its next one-second tick.
  const seconds = (lastAnswerAt - (setUpAt ?? lastAnswerAt)) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return {
    seconds: Math.round(seconds * 100) / 100,
    ok2xx: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
    acceptedPerSecond: seconds > 0 ? Math.round(measured2xx / seconds) : 0,
    p50ms: at(0.5), p90ms: at(0.9), p99ms: at(0.99), maxMs: at(1),
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
