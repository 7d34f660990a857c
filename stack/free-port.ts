import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A port the kernel hands out with listen(0) lies in its ephemeral range, which it also uses for the source port of
// every outgoing connection: between our check and the service's own bind, any process connecting anywhere may take
// it (seen in CI as EADDRINUSE). Ports below that range are never handed out on their own, so we pick from there,
// each jest worker (or other process) in its own slice, moving on through the slice, and still check that nobody
// listens.
const LOWEST = 10_000;
const SLICE = 2_000;

function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + SLICE ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const slices = Math.max(1, Math.floor((ephemeralStart() - LOWEST) / SLICE));
const worker = Number(process.env.JEST_WORKER_ID ?? '0');
const slice = worker >= 1 ? (worker - 1) % slices : process.pid % slices;
const sliceStart = LOWEST + slice * SLICE;
// A random start, so two runs on one machine (or two files on one worker, in turn) rarely try the same ports.
let next = Math.floor(Math.random() * SLICE);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that nobody listens on and the kernel will not give to an outgoing connection. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = sliceStart + (next++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}..${sliceStart + SLICE - 1}`);
}
