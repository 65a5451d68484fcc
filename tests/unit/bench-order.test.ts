import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundOrder } from '../../src/bench/schedule.js';
import { TARGETS, type TargetName } from '../../src/bench/targets.js';

/** How often `first` ran before `second` in rounds 0 … count−1. */
function before(first: TargetName, second: TargetName, count: number): number {
  let times = 0;
  for (let index = 0; index < count; index++) {
    const order = roundOrder(index);
    if (order.indexOf(first) < order.indexOf(second)) times += 1;
  }
  return times;
}

describe('bench round order', () => {
  it('goes through all six orders in six rounds, each target twice in each place', () => {
    const orders = Array.from({ length: 6 }, (_, index) => roundOrder(index).join(' '));
    assert.equal(new Set(orders).size, 6);
    for (const target of TARGETS) {
      for (let place = 0; place < TARGETS.length; place++) {
        assert.equal(orders.filter((order) => order.split(' ')[place] === target).length, 2, `${target} in place ${place}`);
      }
    }
  });

  it('after every even number of rounds, qcc has run before the pass-through as often as after it', () => {
    for (const count of [2, 4, 6, 8, 10, 12]) {
      assert.equal(before('qcc', 'passthrough', count), count / 2, `${count} rounds`);
      assert.equal(before('direct', 'qcc', count), count / 2, `${count} rounds`);
    }
    // A plain rotation of one order puts the pass-through first in two rounds of three.
    assert.ok(before('passthrough', 'qcc', 5) <= 3);
  });
});
