import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { AppConfig } from '../config/env';

/** Starts, signals and updates carry the caller's trace into the workflow (a no-op while tracing is off). */
const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };

/** Connection settings for a local dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key or mTLS). */
export function temporalConnectionOptions(config: AppConfig, address: string): { address: string; tls?: TLSConfig; apiKey?: string } {
  const mtls = config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
    ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
    : undefined;
  const tls: TLSConfig | undefined = mtls || config.TEMPORAL_TLS || config.TEMPORAL_API_KEY
    ? { clientCertPair: mtls, serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME }
    : undefined;
  return { address, tls, apiKey: config.TEMPORAL_API_KEY };
}

/**
 * A client whose connection is made on first use, so callers start even while Temporal is down. After an outage
 * gRPC tries to reconnect with a backoff that grows to 2 minutes by default; the relay's backlog waits for that, so
 * it is capped at 2 s (the relay's dispatcher defers its rows with its own backoff meanwhile).
 */
export function lazyTemporalClient(config: AppConfig, address: string): Client {
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config, address),
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 2000 },
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors });
}

export async function connectTemporalClient(config: AppConfig, address: string): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config, address));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors });
}
