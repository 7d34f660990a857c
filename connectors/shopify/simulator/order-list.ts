import { GraphQLError } from 'graphql';
import { connection, type PageArgs } from './connection';
import type { SimOrder } from './state';

/**
 * Shopify's `orders` connection with its search syntax, as far as catching up needs it: `updated_at` and
 * `created_at` compared with `>=`, `>`, `<=`, `<` or `:` (quoted or bare ISO instants, terms ANDed), sorted by
 * ID (the default), UPDATED_AT or CREATED_AT, optionally reversed. Other search terms are ignored, as Shopify
 * ignores search fields it does not know.
 */
export const ORDER_LIST_SDL = /* GraphQL */ `
  enum OrderSortKeys { ID CREATED_AT UPDATED_AT PROCESSED_AT }
  type OrderEdge { cursor: String! node: Order! }
  type OrderConnection { nodes: [Order!]! edges: [OrderEdge!]! pageInfo: PageInfo! }

  extend type Query {
    orders(first: Int, after: String, query: String, sortKey: OrderSortKeys = ID, reverse: Boolean = false): OrderConnection!
  }
`;

export interface OrdersArgs extends PageArgs { query?: string | null; sortKey?: 'ID' | 'CREATED_AT' | 'UPDATED_AT' | 'PROCESSED_AT' | null; reverse?: boolean | null }

const DATE_FIELDS = { updated_at: 'updatedAt', created_at: 'createdAt', processed_at: 'processedAt' } as const;

function matcher(term: string): ((o: SimOrder) => boolean) | null {
  const m = /^(updated_at|created_at|processed_at):(>=|<=|>|<)?(.+)$/.exec(term);
  if (!m) return null;
  const field = DATE_FIELDS[m[1] as keyof typeof DATE_FIELDS];
  const at = Date.parse(m[3]!.replace(/^['"]|['"]$/g, ''));
  if (Number.isNaN(at)) throw new GraphQLError(`Invalid date in search term '${term}'`, { extensions: { code: 'BAD_REQUEST' } });
  const op = m[2] ?? '=';
  return (o) => {
    const value = Date.parse(o[field]);
    return op === '>=' ? value >= at : op === '>' ? value > at : op === '<=' ? value <= at : op === '<' ? value < at : value === at;
  };
}

export function findOrders(orders: Iterable<SimOrder>, args: OrdersArgs): SimOrder[] {
  const tests = (args.query ?? '').trim().split(/\s+(?:AND\s+)?/).filter(Boolean).map(matcher).filter((t): t is (o: SimOrder) => boolean => t !== null);
  const key = args.sortKey ?? 'ID';
  const field = key === 'ID' ? null : key === 'CREATED_AT' ? 'createdAt' : key === 'UPDATED_AT' ? 'updatedAt' : 'processedAt';
  const sorted = [...orders].filter((o) => tests.every((t) => t(o)))
    .sort((a, b) => (field ? Date.parse(a[field]) - Date.parse(b[field]) : 0) || a.id - b.id);
  return args.reverse ? sorted.reverse() : sorted;
}

export function ordersResolver(orders: () => Iterable<SimOrder>, view: (o: SimOrder) => unknown) {
  return (args: OrdersArgs) => connection(findOrders(orders(), args), args, view);
}
