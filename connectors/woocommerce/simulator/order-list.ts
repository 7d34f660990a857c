import { z } from 'zod';
import { WooApiError, type SimOrder } from './state';

/**
 * `GET /orders` as far as catching up needs it: `modified_after` / `modified_before` / `after` / `before`
 * (exclusive, at second precision like WordPress; GMT with `dates_are_gmt=true`, and the simulated site's own
 * time is GMT too), `orderby` date, modified or id, `order`, `page`, `per_page`.
 */
export const orderListQuery = z.object({
  modified_after: z.string().optional(),
  modified_before: z.string().optional(),
  after: z.string().optional(),
  before: z.string().optional(),
  dates_are_gmt: z.enum(['true', 'false', '1', '0']).optional(),
  orderby: z.enum(['date', 'modified', 'id', 'include', 'title', 'slug']).default('date'),
  order: z.enum(['asc', 'desc']).default('desc'),
  per_page: z.coerce.number().int().min(1).max(100).default(10),
  page: z.coerce.number().int().min(1).default(1),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function instant(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const at = Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(at)) throw new WooApiError(400, 'rest_invalid_param', `Invalid parameter(s): ${name}`);
  return Math.floor(at / 1000);
}

/** The matching orders in their order and the total, before paging. */
export function listOrders(all: Iterable<SimOrder>, q: OrderListQuery): { page: SimOrder[]; total: number; totalPages: number } {
  const bounds = {
    modifiedAfter: instant(q.modified_after, 'modified_after'), modifiedBefore: instant(q.modified_before, 'modified_before'),
    after: instant(q.after, 'after'), before: instant(q.before, 'before'),
  };
  const matching = [...all].filter((o) => {
    const m = seconds(o.modifiedAt);
    const c = seconds(o.createdAt);
    return (bounds.modifiedAfter === null || m > bounds.modifiedAfter) && (bounds.modifiedBefore === null || m < bounds.modifiedBefore)
      && (bounds.after === null || c > bounds.after) && (bounds.before === null || c < bounds.before);
  });
  const key = (o: SimOrder) => (q.orderby === 'modified' ? o.modifiedAt.getTime() : q.orderby === 'date' ? o.createdAt.getTime() : o.id);
  matching.sort((a, b) => key(a) - key(b) || a.id - b.id);
  if (q.order === 'desc') matching.reverse();
  const start = (q.page - 1) * q.per_page;
  return { page: matching.slice(start, start + q.per_page), total: matching.length, totalPages: Math.ceil(matching.length / q.per_page) };
}
