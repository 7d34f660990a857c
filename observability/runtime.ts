import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../config/logger';

/**
 * The Temporal SDK's runtime for a worker process: its log lines (the SDK's own, workflow `log.*` through the SDK's
 * logger sink, activity `log.*`) come out as the process's pino JSON lines with the SDK's context on each one
 * (workflowId, runId, workflowType; the interceptors add businessKey and flow), and its runtime metrics
 * (`temporal_*`: task latencies, slots, polls, cache) are served on their own port for Prometheus.
 */

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** pino's field names for what the SDK passes: an `error` is serialised as `err` (stack included). */
export function pinoFields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { error, ...rest } = meta as Record<string, unknown>;
  return error === undefined ? rest : { ...rest, err: error };
}

/** The SDK's Logger interface over a pino logger. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_METHOD[level]](pinoFields(meta), message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export interface WorkerRuntimeSettings {
  logger: Logger;
  /** `host:port` for the SDK's Prometheus endpoint (`/metrics`); none: not served. */
  sdkMetricsAddress?: string;
}

export function runtimeOptions(settings: WorkerRuntimeSettings): RuntimeOptions {
  return {
    logger: temporalLogger(settings.logger),
    telemetryOptions: {
      // The SDK core's own warnings join the same JSON stream.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(settings.sdkMetricsAddress
        ? { metrics: { prometheus: { bindAddress: settings.sdkMetricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  };
}

/**
 * Installs the runtime; must run before the process's first connection to Temporal. A metrics port already taken
 * (another worker on the same host) costs the SDK's metrics endpoint, not the worker: it says so and runs without.
 * Returns the URL the SDK's metrics are served at, or null.
 */
export function installWorkerRuntime(settings: WorkerRuntimeSettings): string | null {
  if (!settings.sdkMetricsAddress) {
    Runtime.install(runtimeOptions(settings));
    return null;
  }
  try {
    Runtime.install(runtimeOptions(settings));
    return `http://${settings.sdkMetricsAddress}/metrics`;
  } catch (err) {
    if (!/address already in use/i.test(String(err))) throw err;
    settings.logger.warn(
      { address: settings.sdkMetricsAddress },
      `Temporal SDK metrics not served: ${settings.sdkMetricsAddress} is in use; set TEMPORAL_SDK_METRICS_PORT to a free port (0: off)`,
    );
    Runtime.install(runtimeOptions({ ...settings, sdkMetricsAddress: undefined }));
    return null;
  }
}
