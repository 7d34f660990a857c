import { z } from 'zod';
import { classifyStatus } from '../../domain/http-status';
import type { ShopOrder } from '../../domain/order';

import { JsonHttpClient, VendorHttpError } from '../http';
import { parseWith } from '../parse';
import { planStockBatches, skuLookupGroups, WOO_BATCH_LIMIT, type StockItem } from './inventory';
import { erpTags, toShopOrder, VENDOR } from './mapper';
import {
  ERP_TAGS_META, wooBatchItemSchema, wooNoteSchema, wooOrderSchema, wooProductSchema, type WooNote, type WooOrder, type WooProduct,
} from './schema';

/**
 * The WooCommerce REST API v3 (a real store or our simulator) as a ShopPort, plus stock pushes. Failures are
 * VendorHttpError with the shared classification; there are no retry loops (Temporal retries), so every write
 * is safe to repeat: notes are added once, statuses and stock are set, not changed by a delta.
 */

export interface WoocommerceClientOptions {
  /** The WordPress site, e.g. `https://shop.example.com`; `/wp-json/wc/v3` is added. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** HTTP Basic (default), or `consumer_key`/`consumer_secret` in the query for servers that drop Authorization. */
  credentialsIn?: 'header' | 'query';
  /** The credentials travel in clear over http, so only loopback hosts may use it unless this says otherwise. */
  allowInsecureHttp?: boolean;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export type CancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

/** Statuses from which Woo cannot sensibly complete an order. */
const NOT_FULFILLABLE = new Set(['cancelled', 'refunded', 'failed', 'trash']);
const API_PREFIX = '/wp-json/wc/v3';

const batchAnswerSchema = z.object({ update: z.array(wooBatchItemSchema).default([]) });

export const erpTagNote = (tag: string) => `ERP reference ${tag}`;
export const trackingNote = (t: { number: string; company: string }) => `Shipped with ${t.company}, tracking number ${t.number}`;
export const cancelNote = (reason: CancelReason) => `Cancelled by the ERP integration (reason: ${reason.toLowerCase()})`;

function assertSafeTransport(baseUrl: string, allowInsecureHttp: boolean): void {
  const url = new URL(baseUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback && !allowInsecureHttp) {
    throw new Error(`WooCommerce base URL ${url.origin} is plain http: consumer keys would travel in clear; use https`);
  }
}

export class WoocommerceClient {
  private readonly http: JsonHttpClient;
  private readonly authQuery: Record<string, string>;

  constructor(opts: WoocommerceClientOptions) {
    assertSafeTransport(opts.baseUrl, opts.allowInsecureHttp ?? false);
    const inQuery = opts.credentialsIn === 'query';
    this.authQuery = inQuery ? { consumer_key: opts.consumerKey, consumer_secret: opts.consumerSecret } : {};
    const basic = Buffer.from(`${opts.consumerKey}:${opts.consumerSecret}`).toString('base64');
    this.http = new JsonHttpClient({
      vendor: 'woocommerce',
      baseUrl: opts.baseUrl.replace(/\/+$/, '') + API_PREFIX,
      headers: inQuery ? {} : { authorization: `Basic ${basic}` },
      timeoutMs: opts.timeoutMs,
      fetchImpl: opts.fetchImpl,
    });
  }

  async getOrder(orderId: string, signal?: AbortSignal): Promise<ShopOrder> {
    return toShopOrder(await this.call('GET', this.orderPath(orderId), { signal }));
  }

  /** The order as Woo returns it, validated (statuses and meta the ShopOrder does not carry). */
  async getWooOrder(orderId: string, signal?: AbortSignal): Promise<WooOrder> {
    return parseWith(VENDOR, wooOrderSchema, await this.call('GET', this.orderPath(orderId), { signal }));
  }

  /**
   * Woo orders have no tags: the references go to order meta (`erp_tags`) and, for the shop's staff, a note each.
   * Returns the order as it is after the write (a note leaves the order's modification date alone).
   */
  async addTags(orderId: string, tags: string[], signal?: AbortSignal): Promise<ShopOrder> {
    let raw = await this.call('GET', this.orderPath(orderId), { signal });
    const present = erpTags(parseWith(VENDOR, wooOrderSchema, raw));
    const merged = [...new Set([...present, ...tags])];
    if (merged.length > present.length) {
      raw = await this.call('PUT', this.orderPath(orderId), { body: { meta_data: [{ key: ERP_TAGS_META, value: merged.join(',') }] }, signal });
    }
    for (const tag of tags) await this.addNoteOnce(orderId, erpTagNote(tag), signal);
    return toShopOrder(raw);
  }

  /**
   * Sets the order to `cancelled`; Woo puts reduced stock back itself. Idempotent: an order already cancelled or
   * trashed counts as success. Refunds are the payment provider's business, not the shop's.
   */
  async cancelOrder(orderId: string, opts: { reason: CancelReason }, signal?: AbortSignal): Promise<{ alreadyCancelled: boolean }> {
    const order = await this.getWooOrder(orderId, signal);
    if (order.status === 'cancelled' || order.status === 'trash') return { alreadyCancelled: true };
    // The note first: a retry after a failed status change finds it and does not add it again.
    await this.addNoteOnce(orderId, cancelNote(opts.reason), signal);
    await this.setStatus(orderId, 'cancelled', signal);
    return { alreadyCancelled: false };
  }

  /** Completes the order, with a private note carrying the tracking. Idempotent; refused for a dead order. */
  async createFulfillment(
    orderId: string, tracking?: { number: string; company: string }, signal?: AbortSignal,
  ): Promise<{ alreadyFulfilled: boolean }> {
    const order = await this.getWooOrder(orderId, signal);
    if (order.status === 'completed') return { alreadyFulfilled: true };
    if (NOT_FULFILLABLE.has(order.status)) {
      throw this.refused('PUT', this.orderPath(orderId), `order ${order.id} is ${order.status} and cannot be completed`);
    }
    if (tracking) await this.addNoteOnce(orderId, trackingNote(tracking), signal);
    await this.setStatus(orderId, 'completed', signal);
    return { alreadyFulfilled: false };
  }

  async setStatus(orderId: string, status: string, signal?: AbortSignal): Promise<void> {
    await this.call('PUT', this.orderPath(orderId), { body: { status }, signal });
  }

  async listNotes(orderId: string, signal?: AbortSignal): Promise<WooNote[]> {
    return parseWith(VENDOR, z.array(wooNoteSchema), await this.call('GET', `${this.orderPath(orderId)}/notes`, { signal }));
  }

  /** A private note unless `customerNote` (Woo then emails it to the buyer). */
  async addNote(orderId: string, note: string, opts: { customerNote?: boolean; signal?: AbortSignal } = {}): Promise<WooNote> {
    const body = { note, customer_note: opts.customerNote ?? false };
    return parseWith(VENDOR, wooNoteSchema, await this.call('POST', `${this.orderPath(orderId)}/notes`, { body, signal: opts.signal }));
  }

  /** Adds the note unless the order already has it (a retried step must not repeat it). */
  async addNoteOnce(orderId: string, note: string, signal?: AbortSignal): Promise<boolean> {
    const notes = await this.listNotes(orderId, signal);
    if (notes.some((n) => n.note.trim() === note)) return false;
    await this.addNote(orderId, note, { signal });
    return true;
  }

  /** Products and variations with these SKUs (Woo's `?sku=` covers both), 100 SKUs per call. */
  async findBySku(skus: readonly string[], signal?: AbortSignal): Promise<WooProduct[]> {
    const found: WooProduct[] = [];
    for (const group of skuLookupGroups(skus)) {
      const page = await this.call('GET', '/products', { query: { sku: group.join(','), per_page: WOO_BATCH_LIMIT }, signal });
      found.push(...parseWith(VENDOR, z.array(wooProductSchema), page).filter((p) => group.includes(p.sku)));
    }
    return found;
  }

  /** One page (from 1) of the orders changed after `sinceIso` (sent as GMT), oldest change first, 100 at a time. */
  async listOrdersModifiedAfter(sinceIso: string, page: number, signal?: AbortSignal): Promise<{ orders: WooOrder[]; last: boolean }> {
    const query = {
      modified_after: new Date(sinceIso).toISOString().slice(0, 19), dates_are_gmt: 'true', orderby: 'modified', order: 'asc', page, per_page: WOO_BATCH_LIMIT,
    };
    const orders = parseWith(VENDOR, z.array(wooOrderSchema), await this.call('GET', '/orders', { query, signal }));
    return { orders, last: orders.length < WOO_BATCH_LIMIT };
  }

  /** One page (from 1) of the store's products, 100 at a time; variations are not listed. */
  async listProducts(page: number, signal?: AbortSignal): Promise<{ products: WooProduct[]; last: boolean }> {
    const answer = await this.call('GET', '/products', { query: { page, per_page: WOO_BATCH_LIMIT }, signal });
    const products = parseWith(VENDOR, z.array(wooProductSchema), answer);
    return { products, last: products.length < WOO_BATCH_LIMIT };
  }

  /**
   * Sets the stock of each SKU the shop sells, in batches of at most 100; SKUs the shop does not know are returned,
   * not an error (the ERP may stock items the shop does not sell). A refused item fails the call, classified by
   * its status; repeating the whole push is safe.
   */
  async setInventory(items: readonly StockItem[], signal?: AbortSignal): Promise<{ updated: number; missing: string[] }> {
    const { batches, missing } = planStockBatches(items, await this.findBySku(items.map((i) => i.sku), signal));
    let updated = 0;
    for (const batch of batches) {
      const answer = parseWith(VENDOR, batchAnswerSchema, await this.call('POST', batch.path, { body: { update: batch.update }, signal }));
      const refused = answer.update.filter((item) => item.error);
      if (refused.length > 0) {
        const status = refused[0]!.error?.data?.status ?? 400;
        const detail = refused.map((item) => `id ${item.id}: ${item.error!.message}`).join('; ');
        throw new VendorHttpError({
          vendor: 'woocommerce', status, method: 'POST', path: API_PREFIX + batch.path, body: refused, statusClass: classifyStatus(status),
          detail: `${refused.length} of ${batch.update.length} stock updates refused: ${detail}`.slice(0, 500),
        });
      }
      updated += batch.update.length;
    }
    return { updated, missing };
  }

  private call(
    method: string, path: string, req: { body?: unknown; query?: Record<string, string | number>; signal?: AbortSignal },
  ): Promise<unknown> {
    return this.http.request(method, path, { ...req, query: { ...req.query, ...this.authQuery } });
  }

  private orderPath(orderId: string): string {
    if (!/^\d+$/.test(orderId)) throw this.refused('GET', `${API_PREFIX}/orders/{id}`, `"${orderId}" is not a WooCommerce order id`);
    return `/orders/${orderId}`;
  }

  /** A request Woo would refuse the same way every time: permanent, so the activity stops at once. */
  private refused(method: string, path: string, detail: string): VendorHttpError {
    return new VendorHttpError({ vendor: 'woocommerce', status: 422, method, path, statusClass: 'permanent', detail });
  }
}
