import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyConfig } from '../../src/config/schema.js';
import {
  displaySetting,
  findSetting,
  humanBytes,
  humanDuration,
  parseSettingValue,
  readSetting,
  settingEntries,
  withSetting,
  type SettingEntry,
} from '../../src/config/setting-keys.js';
import { maskKey } from '../../src/core/mask.js';
import { closest } from '../../src/core/similar.js';

function entry(key: string): SettingEntry {
  const found = findSetting(key);
  assert.ok(found, `${key} is a setting`);
  return found;
}

const parse = (key: string, raw: string): unknown => {
  const result = parseSettingValue(entry(key), raw);
  return result.ok ? result.value : `refused: ${result.problem} ${result.detail}`;
};

describe('setting keys', () => {
  it('are dotted, unique, and cover the five groups', () => {
    const keys = settingEntries.map((item) => item.key);
    assert.equal(new Set(keys).size, keys.length);
    for (const key of keys) assert.match(key, /^(proxy|health|queue|loadbalancer|failover)\.[a-zA-Z]+$/);
    assert.deepEqual([...new Set(settingEntries.map((item) => item.group))], ['proxy', 'health', 'queue', 'loadbalancer', 'failover']);
    assert.equal(findSetting('proxy'), undefined);
    assert.equal(findSetting('proxy.nope'), undefined);
  });

  it('parse whole numbers, and refuse what is not one or is out of range', () => {
    assert.equal(parse('proxy.port', '8080'), 8080);
    assert.equal(parse('proxy.port', ' 8080 '), 8080);
    assert.match(String(parse('proxy.port', '80%')), /^refused: whole-number/);
    assert.match(String(parse('proxy.port', '80.5')), /^refused: whole-number/);
    assert.match(String(parse('proxy.port', '-1')), /^refused: /);
    assert.match(String(parse('proxy.port', '70000')), /^refused: .*65535/);
    assert.equal(parse('proxy.retryBudgetPercent', '35%'), 35);
    assert.equal(parse('proxy.retryBudgetPercent', '35'), 35);
    assert.match(String(parse('proxy.retryBudgetPercent', '101')), /^refused: /);
  });

  it('parse durations in ms, s, m and h', () => {
    assert.equal(parse('proxy.connectTimeoutMs', '1500'), 1500);
    assert.equal(parse('proxy.connectTimeoutMs', '1500ms'), 1500);
    assert.equal(parse('proxy.connectTimeoutMs', '1.5s'), 1500);
    assert.equal(parse('proxy.connectTimeoutMs', '2m'), 120_000);
    assert.equal(parse('failover.recoveryDelayMs', '1h'), 3_600_000);
    assert.equal(parse('failover.recoveryDelayMs', '1H'), 3_600_000);
    assert.match(String(parse('proxy.connectTimeoutMs', '5 minutes')), /^refused: duration/);
    assert.match(String(parse('proxy.connectTimeoutMs', '-5s')), /^refused: duration/);
    assert.match(String(parse('proxy.connectTimeoutMs', '10h')), /^refused: /, 'above the maximum');
  });

  it('parse sizes with binary and decimal units', () => {
    assert.equal(parse('proxy.maxBodyBytes', '2048'), 2048);
    assert.equal(parse('proxy.maxBodyBytes', '512KiB'), 512 * 1024);
    assert.equal(parse('proxy.maxBodyBytes', '512 KB'), 512_000);
    assert.equal(parse('proxy.maxBodyBytes', '32MiB'), 32 * 1024 * 1024);
    assert.equal(parse('proxy.maxBodyBytes', '1m'), 1024 * 1024);
    assert.match(String(parse('proxy.maxBodyBytes', '12 parsecs')), /^refused: size/);
    assert.match(String(parse('proxy.maxBodyBytes', '10')), /^refused: /, 'below the minimum');
  });

  it('parse booleans, enums, URLs and secrets', () => {
    for (const yes of ['true', 'yes', 'on', '1', 'TRUE']) assert.equal(parse('loadbalancer.sticky', yes), true);
    for (const no of ['false', 'no', 'off', '0', 'Off']) assert.equal(parse('loadbalancer.sticky', no), false);
    assert.match(String(parse('loadbalancer.sticky', 'maybe')), /^refused: boolean/);
    assert.equal(parse('loadbalancer.strategy', 'round-robin'), 'round-robin');
    assert.match(String(parse('loadbalancer.strategy', 'Round-Robin')), /^refused: choice weighted, round-robin, random, least-latency, least-inflight/);
    assert.equal(parse('failover.webhookUrl', 'https://hooks.example.com/x'), 'https://hooks.example.com/x');
    assert.equal(parse('failover.webhookUrl', ''), null);
    assert.equal(parse('failover.webhookUrl', 'null'), null);
    assert.match(String(parse('failover.webhookUrl', 'hooks.example.com')), /^refused: invalid must be an http/);
    assert.equal(parse('proxy.proxyKey', 'a-long-enough-secret'), 'a-long-enough-secret');
    assert.equal(parse('proxy.proxyKey', ''), null);
    assert.match(String(parse('proxy.proxyKey', 'short')), /^refused: /);
    assert.equal(parse('proxy.host', '0.0.0.0'), '0.0.0.0');
    assert.match(String(parse('proxy.host', '')), /^refused: /);
  });

  it('display values for people: secrets masked, durations and sizes readable', () => {
    assert.equal(displaySetting(entry('proxy.proxyKey'), null, maskKey), '(not set)');
    assert.equal(displaySetting(entry('proxy.proxyKey'), 'qcc-proxy-secret-5d2f8b0e6a4c13', maskKey), 'qcc-pr…4c13');
    assert.equal(displaySetting(entry('proxy.connectTimeoutMs'), 90_000, maskKey), '90000 (90s)');
    assert.equal(displaySetting(entry('proxy.maxBodyBytes'), 1536, maskKey), '1536 (1536 B)');
    assert.equal(displaySetting(entry('loadbalancer.sticky'), false, maskKey), 'false');
    assert.deepEqual([humanDuration(0), humanDuration(250), humanDuration(1500), humanDuration(120_000), humanDuration(7_200_000)], ['0ms', '250ms', '1500ms', '2m', '2h']);
    assert.deepEqual([humanBytes(100), humanBytes(2048), humanBytes(3 * 1024 ** 2), humanBytes(1024 ** 3)], ['100 B', '2 KiB', '3 MiB', '1 GiB']);
  });

  it('read and replace one value without touching the rest', () => {
    const settings = emptyConfig().settings;
    const port = entry('proxy.port');
    const changed = withSetting(settings, port, 9000);
    assert.equal(readSetting(changed, port), 9000);
    assert.equal(readSetting(settings, port), 7860, 'the original is not changed');
    assert.equal(changed.health, settings.health);
    assert.equal(changed.proxy.host, settings.proxy.host);
  });

  it('suggest the closest key for a typo or a bare name', () => {
    const keys = settingEntries.map((item) => item.key);
    assert.equal(closest('proxy.prot', keys), 'proxy.port');
    assert.equal(closest('PROXY.PORT', keys), 'proxy.port');
    assert.equal(closest('strategy', keys), 'loadbalancer.strategy');
    assert.equal(closest('webhookurl', keys), 'failover.webhookUrl');
    assert.equal(closest('something.else.entirely', keys), undefined);
  });
});
