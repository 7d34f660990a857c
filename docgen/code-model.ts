import { CONNECTORS } from '../connectors/registry';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { discoverFlows, sharedMessages, type FlowInfo } from './flows';
import { sourceFiles } from './repo';
import { dottedNameUses, implementationsOf, interfacesOf, type InterfaceInfo, type MessageInfo } from './ts-source';

/** Everything the documents say about the engine's structure, read from the code's own registries and sources. */

export interface ConnectorInfo { vendor: string; name: string; role: string; implementations: Array<{ className: string; file: string; implements: string[] }> }
export interface PortInfo extends InterfaceInfo { implementedBy: Array<{ vendor: string; className: string }> }
export interface DispatchEdge { workflowType: string; messages: string[] }

export interface CodeModel {
  flows: FlowInfo[];
  shared: MessageInfo[];
  connectors: ConnectorInfo[];
  ports: PortInfo[];
  /** Which messages the relay's dispatcher sends to which workflow type (relay/routes.ts). */
  dispatch: DispatchEdge[];
  searchAttributes: Array<{ name: string; type: string }>;
}

const PORT_NAME = /^[A-Z]\w*(Port|Source)$/;

export function readCodeModel(): CodeModel {
  const flows = discoverFlows();
  const connectors: ConnectorInfo[] = [...CONNECTORS]
    .sort((a, b) => (a.vendor < b.vendor ? -1 : 1))
    .map((c) => ({
      vendor: c.vendor, name: c.name, role: c.role,
      implementations: sourceFiles(`connectors/${c.vendor}`)
        .filter((f) => !f.includes('/simulator/'))
        .flatMap((file) => implementationsOf(file).map((i) => ({ ...i, file }))),
    }));
  const ports: PortInfo[] = sourceFiles('ports')
    .flatMap((file) => interfacesOf(file))
    .filter((i) => PORT_NAME.test(i.name))
    .map((port) => ({
      ...port,
      implementedBy: connectors.flatMap((c) => c.implementations.filter((i) => i.implements.includes(port.name)).map((i) => ({ vendor: c.vendor, className: i.className }))),
    }));
  const used = new Set(dottedNameUses('relay/routes.ts'));
  const dispatch = flows.flatMap((flow) => {
    const messages = flow.messages.filter((m) => used.has(m.constant)).map((m) => `${m.kind} ${m.name}`);
    // A folder's messages go to its main workflow: the one whose type its id functions and summaries name first.
    return messages.length > 0 ? [{ workflowType: mainWorkflow(flow), messages }] : [];
  });
  return {
    flows, shared: sharedMessages(), connectors, ports, dispatch,
    searchAttributes: ALL_SEARCH_ATTRIBUTES.map((k) => ({ name: k.name, type: k.type })),
  };
}

/** The workflow a flow folder is for (`inventorySync` in workflows/inventory): it takes the folder's messages. */
export function mainWorkflow(flow: FlowInfo): string {
  return flow.main;
}
