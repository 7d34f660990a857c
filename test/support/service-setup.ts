import { composeCheckPath, stripeMockPath } from '../../stack/go-tools';

/**
 * Global setup of the service tests: provisions stripe-mock and the compose checker once, before the test workers
 * start (so two workers never build the same tool), and hands their paths on through the environment.
 */
export default async function serviceSetup(): Promise<void> {
  const started = Date.now();
  process.env.STRIPE_MOCK_PATH = await stripeMockPath();
  process.env.COMPOSE_CHECK_PATH = await composeCheckPath();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`[test tools] stripe-mock and compose-check ready in ${seconds} s\n`);
}
