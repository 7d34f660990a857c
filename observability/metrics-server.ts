import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A small HTTP server for a process without one of its own (the worker): `GET /metrics`, nothing else. */

export interface MetricsServer { url: string; close(): Promise<void> }

/** Thrown when the port is taken: the caller decides whether that stops the process. */
export class MetricsPortInUseError extends Error {
  constructor(readonly host: string, readonly port: number) {
    super(`${host}:${port} is in use`);
    this.name = 'MetricsPortInUseError';
  }
}

export async function startMetricsServer(opts: { host: string; port: number; registry: Registry }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', reason: 'only GET /metrics is served here' }));
      return;
    }
    opts.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${String(err)}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new MetricsPortInUseError(opts.host, opts.port) : err));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
