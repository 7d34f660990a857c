import { Context } from '@temporalio/activity';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { Logger } from '../config/logger';
import { BUSINESS_KEY_HEADER, FLOW_HEADER } from './workflow-interceptors-api';

/**
 * Who an activity works for, on every log line it writes: the workflow id and run id (from the activity's info), the
 * business key and the flow (from the headers the workflow interceptors add to every activity).
 */

export interface ActivityLogFields { workflowId?: string; runId?: string; businessKey?: string; flow?: string; activityType: string }

const fieldsByContext = new WeakMap<Context, ActivityLogFields>();

function headerValue(headers: Headers, name: string): string | undefined {
  const payload = headers[name];
  if (!payload) return undefined;
  const value = defaultPayloadConverter.fromPayload<unknown>(payload);
  return typeof value === 'string' ? value : undefined;
}

/** Reads the fields of one activity execution from its context and headers, and remembers them for its logger. */
export function captureLogFields(ctx: Context, headers: Headers): ActivityLogFields {
  const execution = ctx.info.workflowExecution;
  const fields: ActivityLogFields = {
    ...(execution ? { workflowId: execution.workflowId, runId: execution.runId } : {}),
    businessKey: headerValue(headers, BUSINESS_KEY_HEADER),
    flow: headerValue(headers, FLOW_HEADER) ?? ctx.info.workflowType,
    activityType: ctx.info.activityType,
  };
  fieldsByContext.set(ctx, fields);
  return fields;
}

/** The fields of the running activity (only its type when it was not started through the worker's interceptors). */
export function activityLogFields(): ActivityLogFields {
  const ctx = Context.current();
  return fieldsByContext.get(ctx) ?? { activityType: ctx.info.activityType };
}

/** A child of `logger` whose every line names the running activity's workflow, run and business key. */
export function activityLogger(logger: Logger): Logger {
  const fields = activityLogFields();
  return logger.child(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
}
