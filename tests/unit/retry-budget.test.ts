import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryBudget } from '../../src/core/retry-budget.js';

function withRequests(budget: RetryBudget, count: number): RetryBudget {
  for (let index = 0; index < count; index += 1) budget.requestStarted();
  return budget;
}

function acquireAll(budget: RetryBudget): number {
  let granted = 0;
  while (budget.tryAcquireRetry()) granted += 1;
  return granted;
}

describe('RetryBudget', () => {
  it('always allows the minimum, even with nothing in flight', () => {
    const budget = new RetryBudget(20, 3);
    assert.equal(acquireAll(budget), 3);
    assert.equal(budget.tryAcquireRetry(), false);
  });

  it('allows percent of the requests in flight once that exceeds the minimum', () => {
    const budget = withRequests(new RetryBudget(20, 3), 50);
    assert.equal(budget.allowed, 10);
    assert.equal(acquireAll(budget), 10);
    assert.equal(budget.retries, 10);
  });

  it('rounds the share down: 20 % of 24 requests is 4 retries', () => {
    assert.equal(withRequests(new RetryBudget(20, 0), 24).allowed, 4);
  });

  it('gives a released retry back to the budget', () => {
    const budget = new RetryBudget(20, 1);
    assert.equal(budget.tryAcquireRetry(), true);
    assert.equal(budget.tryAcquireRetry(), false);
    budget.releaseRetry();
    assert.equal(budget.tryAcquireRetry(), true);
  });

  it('shrinks with the requests in flight', () => {
    const budget = withRequests(new RetryBudget(50, 0), 4);
    assert.equal(acquireAll(budget), 2);
    budget.requestFinished();
    budget.requestFinished();
    budget.releaseRetry();
    assert.equal(budget.tryAcquireRetry(), false, 'one retry in flight already uses the budget of 2 requests');
  });

  it('refuses every retry with a zero budget', () => {
    assert.equal(withRequests(new RetryBudget(0, 0), 100).tryAcquireRetry(), false);
  });

  it('takes new settings at once', () => {
    const budget = withRequests(new RetryBudget(20, 3), 10);
    budget.configure(100, 0);
    assert.equal(budget.allowed, 10);
    budget.configure(0, 1);
    assert.equal(budget.allowed, 1);
  });

  it('never lets a counter go negative', () => {
    const budget = new RetryBudget(20, 0);
    budget.requestFinished();
    budget.releaseRetry();
    assert.equal(budget.requests, 0);
    assert.equal(budget.retries, 0);
    budget.requestStarted();
    assert.equal(budget.requests, 1);
  });
});
