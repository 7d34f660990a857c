import type { SearchAttributePair } from '@temporalio/common';
import type { LeadPolicy } from '../domain/lead';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';
import type { InboxRow } from '../erp/inbox';
import { contactChangedSignal, leadConversion } from '../workflows/lead-conversion';

/**
 * Which workflow an inbox event goes to. Workflow ids come from business keys, so every event about the same
 * contact (or order) reaches the same workflow and a redelivered webhook can never start a second one.
 */

export interface RouteContext {
  taskQueue: string;
  leadPolicy: LeadPolicy;
}

export interface DispatchPlan {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  signal: string;
  signalArgs: unknown[];
  searchAttributes: SearchAttributePair[];
  summary: string;
}

const LEAD_TOPICS = new Set(['contact.creation', 'contact.propertyChange', 'contact.restore']);

export function leadWorkflowId(contactId: string): string {
  return `lead-hubspot-${contactId}`;
}

export function planDispatch(row: InboxRow, ctx: RouteContext): DispatchPlan | undefined {
  if (row.provider === 'hubspot' && LEAD_TOPICS.has(row.topic)) {
    const contactId = row.businessKey.split(':')[2]!;
    return {
      workflowType: leadConversion.name,
      workflowId: leadWorkflowId(contactId),
      taskQueue: ctx.taskQueue,
      args: [{ contactId, policy: ctx.leadPolicy }],
      signal: contactChangedSignal.name,
      signalArgs: [{ eventId: row.eventId, topic: row.topic }],
      searchAttributes: [
        { key: BusinessKey, value: row.businessKey },
        { key: Flow, value: 'lead' },
        { key: SourceSystem, value: 'hubspot' },
        { key: FlowState, value: 'running' },
      ] satisfies SearchAttributePair[],
      summary: `Lead: HubSpot contact ${contactId} → ERP customer`,
    };
  }
  return undefined;
}

