import { shopifyErpTags } from '../../connectors/shopify/webhooks';
import { wooErpTags } from '../../connectors/woocommerce/webhooks';

test('a Shopify order update shows the ERP tags among its comma-separated tags', () => {
  expect(shopifyErpTags({ id: 1, tags: 'vip, erp:SO-1001 ,gift,erp:' })).toEqual(['erp:SO-1001']);
  expect(shopifyErpTags({ id: 1, tags: '' })).toEqual([]);
  for (const payload of [{ id: 1 }, { id: 1, tags: ['erp:SO-1'] }, null, 'erp:SO-1']) expect(shopifyErpTags(payload)).toEqual([]);
});

test('a WooCommerce order update shows the ERP tags in its meta field', () => {
  expect(wooErpTags({ id: 1, meta_data: [{ key: 'other', value: 'erp:SO-9' }, { key: 'erp_tags', value: 'erp:SO-1002, note' }] })).toEqual(['erp:SO-1002']);
  for (const payload of [{ id: 1 }, { meta_data: 'erp_tags' }, { meta_data: [null, { key: 'erp_tags', value: 7 }] }, null]) expect(wooErpTags(payload)).toEqual([]);
});
