import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../stack/free-port';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('ports come from below the range the kernel gives outgoing connections, and can be listened on', async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  expect(new Set(ports).size).toBe(3);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralLow);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a port someone listens on is passed over', async () => {
  const first = await freePort();
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(first + 1, '127.0.0.1', resolve));
  try {
    expect(await freePort()).not.toBe(first + 1);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});
