import { GraphQLError } from 'graphql';

/** Relay connections over in-memory lists, with Shopify's page-size rules and opaque cursors. */

export const MAX_PAGE_SIZE = 250;

export interface PageArgs { first?: number | null; after?: string | null }

const cursorOf = (index: number) => Buffer.from(JSON.stringify({ last: index })).toString('base64');

function offsetAfter(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  try {
    const { last } = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last?: unknown };
    if (typeof last === 'number' && Number.isInteger(last) && last >= 0) return last + 1;
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: 'BAD_REQUEST' } });
}

export function connection<T>(items: readonly T[], args: PageArgs, view: (item: T) => unknown) {
  if (args.first === undefined || args.first === null) throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  if (args.first < 0 || args.first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The page size for first must be between 0 and ${MAX_PAGE_SIZE}`, { extensions: { code: 'BAD_REQUEST' } });
  }
  const start = offsetAfter(args.after);
  const page = items.slice(start, start + args.first).map((item, i) => ({ cursor: cursorOf(start + i), node: view(item) }));
  return {
    nodes: page.map((e) => e.node),
    edges: page,
    pageInfo: {
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: page[0]?.cursor ?? null,
      endCursor: page[page.length - 1]?.cursor ?? null,
    },
  };
}
