import type { ShopOrder } from '../../domain/order';
import { editOrderUpdate, shopOrderChangedSignal } from '../../workflows/order/api';
import { shopAddress, shopOrder } from '../support/shop-order-fixture';
import { FakeActivities } from './support/fake-activities';
import { updateRefusal } from './support/failures';
import { FULFILLED, ship, startOrder } from './support/order-flow';
import { stateIs } from './support/progress';
import { WorkflowTestEnv } from './support/workflow-env';

/** Edits made in the shop: applied one at a time, and never to the lines once stock is reserved. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

const edit = (eventId: string) => ({ eventId, topic: 'orders/updated' });

test('two edits sent at once are applied one after the other, both reaching the ERP in order', async () => {
  const fakes = new FakeActivities();
  // Each read of the shop during the edits finds the next address the buyer typed.
  const typed: string[] = [];
  const fetch = fakes.impl.fetchShopOrder;
  fakes.impl.fetchShopOrder = () => {
    const name = typed.shift();
    if (name) fakes.world.shop = { ...fakes.world.shop, shippingAddress: shopAddress(name) };
    return fetch();
  };
  let inFlight = 0;
  let mostAtOnce = 0;
  fakes.impl.applyOrderEdit = async () => {
    mostAtOnce = Math.max(mostAtOnce, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 200)); // an ERP write that takes a while
    inFlight--;
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await stateIs(handle, 'awaiting-shipment');
    typed.push('Ann Example', 'Bob Example');
    const results = await Promise.all([
      handle.executeUpdate(editOrderUpdate, { args: [edit('e1')] }),
      handle.executeUpdate(editOrderUpdate, { args: [edit('e2')] }),
    ]);
    expect(results).toEqual([{ applied: ['address'] }, { applied: ['address'] }]);
    expect(mostAtOnce).toBe(1);
    const applied = fakes.callsOf('applyOrderEdit').map((c) => (c.args[1] as ShopOrder).shippingAddress?.name);
    expect(applied).toEqual(['Ann Example', 'Bob Example']);
    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);
  });
});

test('an edit of the lines after reservation is refused, and the captured amount stays the ERP total', async () => {
  const fakes = new FakeActivities(shopOrder());
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await stateIs(handle, 'awaiting-payment');
    // The buyer doubles the quantity and pays the new total at once.
    fakes.world.shop = {
      ...fakes.world.shop, subtotalMinor: 5000, totalMinor: 5000,
      lines: [{ lineId: 'l1', sku: 'SKU-1', title: 'T', quantity: 2, unitPriceMinor: 2500 }],
      payment: { gateway: 'stripe', paymentId: 'pi_after_edit', kind: 'authorised', amountMinor: 5000 },
    };
    expect(await updateRefusal(handle.executeUpdate(editOrderUpdate, { args: [edit('e1')] })))
      .toBe('too late to change the lines: the order is at stage "payment"');

    await handle.signal(shopOrderChangedSignal, { eventId: 'e2', topic: 'orders/paid' });
    await stateIs(handle, 'awaiting-shipment');
    expect(fakes.callsOf('applyOrderEdit')).toHaveLength(0);
    expect(fakes.callsOf('capturePayment').map((c) => c.args)).toEqual([[42, 'pi_after_edit']]);
    expect(fakes.world.erpTotalMinor).toBe(2500);
    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);
  });
});
