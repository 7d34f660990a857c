import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VendorHttpError } from '../../connectors/http';

/**
 * Stands in for the relay in simulator tests: records every delivery (in the shape the test wants) and answers
 * the queued failure statuses first, so retries and redeliveries can be observed.
 */
export class WebhookReceiver<R> {
  received: R[] = [];
  failNext: number[] = [];
  url = '';
  private readonly server: Server;

  constructor(record: (raw: Buffer, req: IncomingMessage) => R) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push(record(Buffer.concat(chunks), req));
        res.statusCode = this.failNext.shift() ?? 200;
        res.end();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls a synchronous check every 10 ms. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs the call and returns the error (a VendorHttpError unless told otherwise) it must fail with. */
export async function failure<E = VendorHttpError>(call: () => Promise<unknown>, type: abstract new (...args: never[]) => E = VendorHttpError as never): Promise<E> {
  try {
    await call();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
