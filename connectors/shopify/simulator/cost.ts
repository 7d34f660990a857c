import {
  getArgumentValues, getNamedType, isCompositeType, isInterfaceType, isObjectType, Kind,
  type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLNamedType, type GraphQLSchema,
  type NamedTypeNode, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's calculated query cost and its leaky bucket. Cost is read off the validated document: an object field
 * costs 1, a scalar or enum 0, a connection 2 plus `first` times the cost of one of its items, and each mutation
 * field 10. The actual cost walks the result instead, so a page that came back short is charged for what it held.
 */

export const OBJECT_COST = 1;
export const CONNECTION_COST = 2;
export const MUTATION_COST = 10;
/** Shopify refuses any single query above this, whatever the bucket holds. */
export const MAX_QUERY_COST = 1000;

type Data = Record<string, unknown> | null | undefined;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: readonly FragmentDefinitionNode[];
  /** Coerced variable values (graphql's getVariableValues). */
  variables: Record<string, unknown>;
}

/** The cost announced before running: every connection assumed full. */
export function requestedCost(input: CostInput): number {
  return operationCost(input, undefined);
}

/** The cost of what was actually returned (`data` of the execution result). */
export function actualCost(input: CostInput, data: Record<string, unknown> | null | undefined): number {
  return operationCost(input, data ?? null);
}

function operationCost(input: CostInput, data: Data): number {
  const walk: Walk = { schema: input.schema, fragments: Object.fromEntries(input.fragments.map((f) => [f.name.value, f])), variables: input.variables };
  const root = input.operation.operation === 'mutation' ? input.schema.getMutationType() : input.schema.getQueryType();
  if (!root) return 0;
  return selectionCost(walk, root, input.operation.selectionSet, data, input.operation.operation === 'mutation' ? MUTATION_COST : undefined);
}

/**
 * `data` undefined means "requested" (nothing ran yet); an object or null means "actual". `rootCost` replaces
 * the usual object cost for the top-level fields of a mutation.
 */
function selectionCost(walk: Walk, type: GraphQLCompositeType, set: SelectionSetNode, data: Data, rootCost?: number): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) total += fieldCost(walk, type, selection, data, rootCost);
    else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments[selection.name.value];
      if (fragment) total += selectionCost(walk, conditionType(walk, fragment.typeCondition, type), fragment.selectionSet, data, rootCost);
    }
  }
  return total;
}

function conditionType(walk: Walk, condition: NamedTypeNode | undefined, fallback: GraphQLCompositeType): GraphQLCompositeType {
  const named = condition ? walk.schema.getType(condition.name.value) : undefined;
  return named && isCompositeType(named) ? named : fallback;
}

function fieldCost(walk: Walk, parent: GraphQLCompositeType, node: FieldNode, data: Data, rootCost?: number): number {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
  const def = parent.getFields()[node.name.value];
  if (!def || !node.selectionSet) return 0;
  const named = getNamedType(def.type);
  if (!isCompositeType(named)) return 0;
  const actual = data !== undefined;
  const value = actual ? data?.[node.alias?.value ?? node.name.value] : undefined;
  if (isConnection(named)) {
    const n = actual ? itemCount(value) : pageSize(def, node, walk.variables);
    return (rootCost ?? CONNECTION_COST) + connectionCost(walk, named, node.selectionSet, n);
  }
  const own = rootCost ?? OBJECT_COST;
  // A null object costs its own point only; a list is charged per selection, not per element (Shopify's rule).
  if (actual && value === null) return own;
  const child = actual && value !== undefined && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  return own + selectionCost(walk, named, node.selectionSet, child);
}

const isConnection = (type: GraphQLNamedType): type is GraphQLCompositeType => isObjectType(type) && type.name.endsWith('Connection');

function pageSize(def: Parameters<typeof getArgumentValues>[0], node: FieldNode, variables: Record<string, unknown>): number {
  try {
    const args = getArgumentValues(def, node, variables);
    const size = args.first ?? args.last;
    return typeof size === 'number' && size > 0 ? size : 0;
  } catch {
    return 0;
  }
}

function itemCount(value: unknown): number {
  const connection = value as { nodes?: unknown[]; edges?: unknown[] } | null | undefined;
  return connection?.nodes?.length ?? connection?.edges?.length ?? 0;
}

/** Inside a connection, `nodes` and `edges` are charged once per item; `pageInfo` and the like once. */
function connectionCost(walk: Walk, type: GraphQLCompositeType, set: SelectionSetNode, n: number): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind !== Kind.FIELD) {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments[selection.name.value];
      if (fragment) total += connectionCost(walk, type, fragment.selectionSet, n);
      continue;
    }
    const name = selection.name.value;
    if ((name === 'nodes' || name === 'edges') && selection.selectionSet && (isObjectType(type) || isInterfaceType(type))) {
      const def = type.getFields()[name];
      const item = def ? getNamedType(def.type) : undefined;
      if (!item || !isCompositeType(item)) continue;
      // An edge is only a wrapper: its `node` field carries the object's point.
      const perItem = (name === 'nodes' ? OBJECT_COST : 0) + selectionCost(walk, item, selection.selectionSet, undefined);
      total += n * perItem;
    } else {
      total += fieldCost(walk, type, selection, undefined);
    }
  }
  return total;
}

// ---- leaky bucket ---------------------------------------------------------------

export interface ThrottleStatus { maximumAvailable: number; currentlyAvailable: number; restoreRate: number }

/** Points leak back at `restoreRate` per second up to `maximumAvailable`; a request takes its cost up front. */
export class LeakyBucket {
  private level: number;
  private at: number;

  constructor(private maximum: number, private rate: number, private readonly now: () => number = Date.now) {
    this.level = maximum;
    this.at = now();
  }

  available(): number {
    const t = this.now();
    this.level = Math.min(this.maximum, this.level + ((t - this.at) / 1000) * this.rate);
    this.at = t;
    return this.level;
  }

  /** How many requests were answered THROTTLED so far: tests prove a throttle really happened. */
  refusals = 0;

  /** Takes `cost` points if they are there; false (and nothing taken) otherwise. */
  take(cost: number): boolean {
    if (cost > this.available()) {
      this.refusals++;
      return false;
    }
    this.level -= cost;
    return true;
  }

  /** Gives back what a request was charged beyond its actual cost. */
  refund(points: number): void {
    if (points > 0) this.level = Math.min(this.maximum, this.available() + points);
  }

  configure(patch: Partial<ThrottleStatus>): ThrottleStatus {
    this.available();
    if (patch.maximumAvailable !== undefined) this.maximum = patch.maximumAvailable;
    if (patch.restoreRate !== undefined) this.rate = patch.restoreRate;
    this.level = Math.min(this.maximum, patch.currentlyAvailable ?? this.level);
    return this.status();
  }

  /** As Shopify reports it: whole points available. */
  status(): ThrottleStatus {
    return { maximumAvailable: this.maximum, currentlyAvailable: Math.floor(this.available()), restoreRate: this.rate };
  }
}
