import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSelection } from '../../src/cli/selection.js';

const FIVE = [1, 2, 3, 4, 5];

describe('parseSelection', () => {
  it('reads numbers in the order typed', () => {
    assert.deepEqual(parseSelection('1,5', FIVE, true), { ok: true, values: [1, 5] });
    assert.deepEqual(parseSelection('5,1,3', FIVE, true), { ok: true, values: [5, 1, 3] });
  });

  it('takes ASCII commas, Chinese commas, the enumeration comma and spaces alike', () => {
    for (const input of ['1,2,4', '1，2，4', '1、2、4', '1 2 4', ' 1 , 2，4 ', '1,,2,4', '1,2,4,']) {
      assert.deepEqual(parseSelection(input, FIVE, true), { ok: true, values: [1, 2, 4] }, input);
    }
  });

  it('expands ranges, in either direction', () => {
    assert.deepEqual(parseSelection('2-4', FIVE, true), { ok: true, values: [2, 3, 4] });
    assert.deepEqual(parseSelection('4-2', FIVE, true), { ok: true, values: [2, 3, 4] });
    assert.deepEqual(parseSelection('1,3-4', FIVE, true), { ok: true, values: [1, 3, 4] });
    assert.deepEqual(parseSelection('5-5', FIVE, true), { ok: true, values: [5] });
  });

  it('accepts only the numbers still on the list (step 2 keeps the original numbers)', () => {
    const remaining = [2, 3, 4];
    assert.deepEqual(parseSelection('2,3', remaining, false), { ok: true, values: [2, 3] });
    assert.deepEqual(parseSelection('1', remaining, false), { ok: false, problem: { kind: 'out-of-range', value: 1 } });
    assert.deepEqual(parseSelection('5', remaining, false), { ok: false, problem: { kind: 'out-of-range', value: 5 } });
    assert.deepEqual(parseSelection('2-4', [2, 4], false), { ok: false, problem: { kind: 'out-of-range', value: 3 } });
  });

  it('an empty answer: a problem when required, no choice when not', () => {
    for (const input of ['', '   ', ',', '，、 ']) {
      assert.deepEqual(parseSelection(input, FIVE, true), { ok: false, problem: { kind: 'empty' } }, JSON.stringify(input));
      assert.deepEqual(parseSelection(input, FIVE, false), { ok: true, values: [] }, JSON.stringify(input));
    }
  });

  it('text is not a number', () => {
    assert.deepEqual(parseSelection('abc', FIVE, true), { ok: false, problem: { kind: 'not-a-number', token: 'abc' } });
    assert.deepEqual(parseSelection('1,x', FIVE, true), { ok: false, problem: { kind: 'not-a-number', token: 'x' } });
    for (const token of ['-1', '1-', '1.5', '1-2-3', '+2', '１']) {
      assert.deepEqual(parseSelection(token, FIVE, true), { ok: false, problem: { kind: 'not-a-number', token } }, token);
    }
  });

  it('out of range: 0, past the end', () => {
    assert.deepEqual(parseSelection('9', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 9 } });
    assert.deepEqual(parseSelection('0', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 0 } });
    assert.deepEqual(parseSelection('1,6', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 6 } });
    assert.deepEqual(parseSelection('4-7', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 7 } });
  });

  it('a huge range is refused at once instead of being spelt out (it used to hang)', () => {
    const started = Date.now();
    assert.deepEqual(parseSelection('1-1000000000', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 1000000000 } });
    assert.deepEqual(parseSelection('99999999999-1', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 99999999999 } });
    assert.ok(Date.now() - started < 100);
  });

  it('duplicates, typed twice or through a range', () => {
    assert.deepEqual(parseSelection('1,1', FIVE, true), { ok: false, problem: { kind: 'duplicate', value: 1 } });
    assert.deepEqual(parseSelection('1-3,2', FIVE, true), { ok: false, problem: { kind: 'duplicate', value: 2 } });
    assert.deepEqual(parseSelection('01,1', FIVE, true), { ok: false, problem: { kind: 'duplicate', value: 1 } });
  });

  it('reports the first problem from the left', () => {
    assert.deepEqual(parseSelection('9,abc', FIVE, true), { ok: false, problem: { kind: 'out-of-range', value: 9 } });
    assert.deepEqual(parseSelection('abc,9', FIVE, true), { ok: false, problem: { kind: 'not-a-number', token: 'abc' } });
  });

  it('nothing is allowed when the list is empty', () => {
    assert.deepEqual(parseSelection('1', [], false), { ok: false, problem: { kind: 'out-of-range', value: 1 } });
    assert.deepEqual(parseSelection('', [], false), { ok: true, values: [] });
  });
});
