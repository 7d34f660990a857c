import { ApplicationFailure } from '@temporalio/common';

/** The port of a connection; a flow naming a connection this worker does not serve fails at once, saying so. */
export function portOf<P>(ports: ReadonlyMap<string, P>, connection: string, role: string): P {
  const port = ports.get(connection);
  if (!port) {
    throw ApplicationFailure.nonRetryable(
      `this worker has no ${role} connection "${connection}" (it serves ${[...ports.keys()].join(', ') || 'none'}): check SHOPS / CRM / PAYMENTS`,
      'UnknownConnection',
    );
  }
  return port;
}
