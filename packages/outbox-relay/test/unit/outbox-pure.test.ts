import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs, CircuitBreaker, classifyKafkajsError, DEFAULT_BACKOFF, DeliveryError, faultOf, InvalidOutboxConfigError, parseDatabaseList,
  PhysicalTablesPartitioning, resolveOutboxTable, VirtualPartitioning, outboxTableDdl, OutboxRelayJob, KafkajsSink, IdModPartitioning,
  type DeliveryErrorCode, type OutboxRecord,
} from '../../src/index.js';
import { failureOutcome } from '../../src/relay/failure-outcome.js';

describe('backoff', () => {
  it('grows exponentially from the initial delay and is capped', () => {
    const policy = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([0, 1, 2, 3].map((retry) => backoffDelayMs(retry, policy))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelayMs(30, policy)).toBe(300_000);
  });

  it('takes at most the jitter fraction off', () => {
    const policy = { ...DEFAULT_BACKOFF, jitter: 0.5 };
    expect(backoffDelayMs(1, policy, () => 0)).toBe(2_000);
    expect(backoffDelayMs(1, policy, () => 0.999_999)).toBe(1_000);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, admits nothing for the cool-down, then lets one probe through', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, maxCoolDownMs: 10_000, probeSize: 5 }, () => now);
    breaker.recordFailure('a');
    expect(breaker.admits('a', 500)).toBe(500);
    breaker.recordFailure('a');
    expect(breaker.admits('a', 500)).toBe(0);
    now = 999;
    expect(breaker.state('a')).toBe('open');
    now = 1_000;
    expect(breaker.state('a')).toBe('half-open');
    expect(breaker.admits('a', 500)).toBe(5);
    expect(breaker.admits('b', 500)).toBe(500);
    breaker.recordSuccess('a');
    expect(breaker.state('a')).toBe('closed');
  });

  it('doubles the cool-down with each failed probe, up to the cap, and a success resets it', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000, maxCoolDownMs: 3_000, probeSize: 5 }, () => now);
    /** Time from now until the open circuit admits a probe, found by stepping the clock. */
    const coolDown = (): number => {
      const opened = now;
      while (breaker.admits('a', 500) === 0) now += 100;
      return now - opened;
    };
    breaker.recordFailure('a');
    const coolDowns: number[] = [];
    for (let probe = 0; probe < 4; probe++) {
      coolDowns.push(coolDown());
      breaker.recordFailure('a');
    }
    expect(coolDowns).toEqual([1_000, 2_000, 3_000, 3_000]);
    coolDown();
    breaker.recordSuccess('a');
    breaker.recordFailure('a');
    expect(coolDown()).toBe(1_000);
  });

  it('suspect: rows an outage deferred make a closed circuit send probes; failed probes count towards the threshold, a success ends it', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, maxCoolDownMs: 10_000, probeSize: 5 }, () => now);
    breaker.suspect('a');
    expect(breaker.state('a')).toBe('closed');
    expect(breaker.probing('a')).toBe(true);
    expect(breaker.admits('a', 500)).toBe(5);
    breaker.recordFailure('a');
    expect(breaker.admits('a', 500)).toBe(5);
    expect(breaker.openUntil('a')).toBeUndefined();
    breaker.recordFailure('a');
    expect(breaker.openUntil('a')).toBe(1_000);
    // Already open: suspecting changes nothing, the cool-down runs on.
    breaker.suspect('a');
    expect(breaker.admits('a', 500)).toBe(0);
    now = 1_000;
    expect(breaker.openUntil('a')).toBeUndefined();
    expect(breaker.probing('a')).toBe(true);
    breaker.suspect('b');
    breaker.recordSuccess('b');
    expect(breaker.probing('b')).toBe(false);
    expect(breaker.admits('b', 500)).toBe(500);
  });

  it('a success resets the consecutive failure count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, maxCoolDownMs: 1_000, probeSize: 10 });
    breaker.recordFailure('a');
    breaker.recordSuccess('a');
    breaker.recordFailure('a');
    expect(breaker.state('a')).toBe('closed');
  });
});

describe('kafkajs error classification', () => {
  const protocol = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });
  const retriesExceeded = (original: Error) => Object.assign(new Error('retries'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: original });

  it.each([
    [protocol('MESSAGE_TOO_LARGE'), { topicAutoCreate: true }, 'MESSAGE_TOO_LARGE', false, 'record'],
    [retriesExceeded(protocol('UNKNOWN_TOPIC_OR_PARTITION')), { topicAutoCreate: false }, 'TOPIC_NOT_FOUND', false, 'record'],
    [retriesExceeded(protocol('UNKNOWN_TOPIC_OR_PARTITION')), { topicAutoCreate: true }, 'DELIVERY_FAILED', true, 'record'],
    [protocol('INVALID_TOPIC_EXCEPTION'), { topicAutoCreate: true }, 'TOPIC_NOT_FOUND', false, 'record'],
    [retriesExceeded(Object.assign(new Error('ECONNREFUSED'), { name: 'KafkaJSConnectionError' })), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNonRetriableError' }), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [retriesExceeded(protocol('LEADER_NOT_AVAILABLE')), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [protocol('NOT_ENOUGH_REPLICAS'), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [protocol('NOT_LEADER_FOR_PARTITION'), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [retriesExceeded(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER')), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [protocol('UNKNOWN_PRODUCER_ID'), { topicAutoCreate: true }, 'BROKER_UNAVAILABLE', true, 'destination'],
    [Object.assign(new Error('timeout'), { name: 'KafkaJSRequestTimeoutError' }), { topicAutoCreate: true }, 'DELIVERY_TIMEOUT', true, 'destination'],
    [protocol('REQUEST_TIMED_OUT'), { topicAutoCreate: true }, 'DELIVERY_TIMEOUT', true, 'destination'],
    [new Error('something else'), { topicAutoCreate: true }, 'DELIVERY_FAILED', true, 'record'],
  ])('%s -> %s', (error, options, code, retriable, fault) => {
    const classified = classifyKafkajsError(error, options);
    expect(classified.code).toBe(code);
    expect(classified.retriable).toBe(retriable);
    expect(classified.fault).toBe(fault);
  });
});

describe('what counts as an attempt', () => {
  it.each([
    ['BROKER_UNAVAILABLE', 'destination'], ['DELIVERY_TIMEOUT', 'destination'], ['SINK_FAILED', 'destination'],
    ['DELIVERY_FAILED', 'record'], ['MESSAGE_TOO_LARGE', 'record'], ['TOPIC_NOT_FOUND', 'record'], ['UNKNOWN_CLUSTER', 'record'], ['UNSERIALIZABLE_RECORD', 'record'],
  ] satisfies Array<[DeliveryErrorCode, string]>)('%s is the %s\'s fault, as an error and as a stored last_error code', (code, fault) => {
    expect(new DeliveryError(code, 'x').fault).toBe(fault);
    expect(faultOf(code)).toBe(fault);
  });

  it('a stored code that is not ours has no fault', () => {
    expect(faultOf('ER_SOMETHING')).toBeUndefined();
    expect(faultOf('')).toBeUndefined();
  });

  const policy = { maxRetries: 3, backoff: { ...DEFAULT_BACKOFF, initialDelayMs: 1_000, maxDelayMs: 1_000, jitter: 0 } };
  const record = (retryCount: number): OutboxRecord => ({
    id: 1, key: 'k', topic: 't', cluster: 'a', payload: Buffer.from('x'), headers: {}, retryCount, createTime: new Date(0),
    location: { database: 0, table: resolveOutboxTable() },
  });

  it('an outage is not an attempt: never charged, never dead, however spent the budget; it waits for the probe when the circuit is open', () => {
    for (const code of ['BROKER_UNAVAILABLE', 'DELIVERY_TIMEOUT', 'SINK_FAILED'] as const) {
      const closed = failureOutcome(record(3), new DeliveryError(code, 'down'), policy, undefined, 10_000);
      expect(closed).toMatchObject({ charged: false, dead: false, code, nextAttemptAt: new Date(11_000) });
      const open = failureOutcome(record(50), new DeliveryError(code, 'down'), policy, 70_000, 10_000);
      expect(open).toMatchObject({ charged: false, dead: false, nextAttemptAt: new Date(70_000) });
    }
  });

  it("the row's own failure is an attempt: charged, dead once the budget is spent or at once when retrying cannot help", () => {
    const retriable = new DeliveryError('DELIVERY_FAILED', 'rejected');
    expect(failureOutcome(record(2), retriable, policy, 70_000, 10_000)).toMatchObject({ charged: true, dead: false, nextAttemptAt: new Date(11_000) });
    expect(failureOutcome(record(3), retriable, policy, undefined, 10_000)).toMatchObject({ charged: true, dead: true });
    expect(failureOutcome(record(0), new DeliveryError('MESSAGE_TOO_LARGE', 'big'), policy, undefined, 10_000)).toMatchObject({ charged: true, dead: true });
  });
});

describe('partitioning', () => {
  const table = resolveOutboxTable();

  it("a key's virtual partition is MySQL's CRC32(key) modulo the partitions (IEEE reference values)", () => {
    const partitioning = new VirtualPartitioning(table, 65_535);
    expect(partitioning.partitionOf('')).toBe(0);
    expect(partitioning.partitionOf('123456789')).toBe(0xcbf43926 % 65_535);
    expect(partitioning.partitionOf('MySQL')).toBe(3259397556 % 65_535);
  });

  it('virtual partitions: items own contiguous ranges that cover every partition once', () => {
    const partitioning = new VirtualPartitioning(table, 1024);
    for (const total of [1, 3, 4, 7, 1024]) {
      const covered: number[] = [];
      for (let item = 0; item < total; item++) {
        const [low, high] = partitioning.range(item, total);
        for (let p = low; p <= high; p++) covered.push(p);
      }
      expect(covered).toEqual(Array.from({ length: 1024 }, (_, i) => i));
    }
    expect(partitioning.scopes({ item: 2, total: 4, jobParameter: '', shardingParameter: undefined })[0]?.rows).toEqual({ kind: 'partition-range', low: 512, high: 767 });
  });

  it('physical tables: 2 databases x 4 tables over 8 items, 4 items, and restricted to database 2', () => {
    const tables = ['user_strategy_export_001', 'user_strategy_export_002', 'user_strategy_export_003', 'user_strategy_export_004'].map((name) => resolveOutboxTable({}, name));
    const partitioning = new PhysicalTablesPartitioning(2, tables);
    const describe = (item: number, total: number, jobParameter = '') =>
      partitioning.scopes({ item, total, jobParameter, shardingParameter: undefined }).map((scope) => `${scope.database + 1}:${scope.table.name.slice(-3)}`);
    expect(describe(0, 8)).toEqual(['1:001']);
    expect(describe(5, 8)).toEqual(['2:002']);
    expect(describe(1, 4)).toEqual(['1:002', '2:002']);
    expect(describe(1, 4, '2')).toEqual(['2:002']);
    expect(describe(1, 4, '1,2,3')).toEqual(['1:002', '2:002']);
  });

  it('parses the seed job parameter and rejects junk, naming the field', () => {
    expect(parseDatabaseList('1,2,3')).toEqual(new Set([1, 2, 3]));
    expect(parseDatabaseList(' ')).toBeUndefined();
    expect(() => parseDatabaseList('1,x')).toThrow(expect.objectContaining({ field: 'jobParameter' }));
    expect(() => parseDatabaseList('0')).toThrow(InvalidOutboxConfigError);
  });
});

describe('configuration errors name the field', () => {
  it.each([
    [() => resolveOutboxTable({ table: 'drop table;' }), 'table'],
    [() => resolveOutboxTable({ columns: { key: 'a`b' } }), 'columns.key'],
    [() => resolveOutboxTable({ states: { pending: 1, sent: 1 } }), 'states'],
    [() => resolveOutboxTable({ states: { dead: 200 } }), 'states.dead'],
    [() => new VirtualPartitioning(resolveOutboxTable(), 0), 'partitions'],
    [() => new KafkajsSink({ clusters: {} }), 'clusters'],
    [() => new KafkajsSink({ clusters: { a: { brokers: [] } } }), 'clusters.a.brokers'],
  ])('%#', (create, field) => {
    expect(create).toThrow(expect.objectContaining({ code: 'INVALID_OUTBOX_CONFIG', field }));
  });

  it('rejects bad relay options', () => {
    const base = { store: {} as never, sink: {} as never, partitioning: {} as never };
    expect(() => new OutboxRelayJob({ ...base, maxRetries: -1 })).toThrow(expect.objectContaining({ field: 'maxRetries' }));
    expect(() => new OutboxRelayJob({ ...base, pageSize: 0 })).toThrow(expect.objectContaining({ field: 'pageSize' }));
    expect(() => new OutboxRelayJob({ ...base, backoff: { jitter: 2 } })).toThrow(expect.objectContaining({ field: 'backoff.jitter' }));
    expect(() => new OutboxRelayJob({ ...base, circuitBreaker: { coolDownMs: 5_000, maxCoolDownMs: 1_000 } })).toThrow(expect.objectContaining({ field: 'circuitBreaker.maxCoolDownMs' }));
    const idMod = new IdModPartitioning(resolveOutboxTable());
    expect(() => new OutboxRelayJob({ ...base, partitioning: idMod, perKeyOrdering: true })).toThrow(expect.objectContaining({ field: 'perKeyOrdering' }));
    expect(() => new OutboxRelayJob({ ...base, partitioning: idMod })).not.toThrow();
  });

  it('quotes every identifier in the DDL', () => {
    const ddl = outboxTableDdl(resolveOutboxTable({ table: 'lottery_outbox', columns: { state: 'mq_state' } }));
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS `lottery_outbox`');
    expect(ddl).toContain('`mq_state` TINYINT');
  });
});
