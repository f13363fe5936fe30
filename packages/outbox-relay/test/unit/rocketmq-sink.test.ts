import { describe, expect, it } from 'vitest';
import {
  classifyRocketMqError, createOutbox, InMemorySink, RocketMqSink, rocketMqDestination, RoutingSink,
  type OutboundMessage,
} from '../../src/index.js';

const status = (code: number, message = `status ${code}`) => Object.assign(new Error(message), { code });

describe('RocketMQ error classification', () => {
  it.each([
    [status(40402), 'TOPIC_NOT_FOUND', false],
    [status(40002, 'cannot access system topic'), 'TOPIC_NOT_FOUND', false],
    [status(41301), 'MESSAGE_TOO_LARGE', false],
    [status(43101), 'MESSAGE_TOO_LARGE', false],
    [new TypeError('Message body size exceeds the threshold, max size=4194304 bytes'), 'MESSAGE_TOO_LARGE', false],
    [status(40007), 'UNSERIALIZABLE_RECORD', false],
    [status(40006), 'UNSERIALIZABLE_RECORD', false],
    [status(14, '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1'), 'BROKER_UNAVAILABLE', true],
    [status(4, '4 DEADLINE_EXCEEDED: Deadline exceeded'), 'DELIVERY_TIMEOUT', true],
    [status(50400), 'DELIVERY_TIMEOUT', true],
    [status(50001), 'BROKER_UNAVAILABLE', true],
    [status(42900), 'DELIVERY_FAILED', true],
    [new TypeError('Current message type not match with topic accept message types'), 'DELIVERY_FAILED', true],
    [Object.assign(new Error('Startup the rocketmq client failed'), { cause: status(14, 'UNAVAILABLE') }), 'BROKER_UNAVAILABLE', true],
  ])('%s -> %s', (error, code, retriable) => {
    const classified = classifyRocketMqError(error);
    expect(classified.code).toBe(code);
    expect(classified.retriable).toBe(retriable);
  });
});

describe('rocketMqDestination', () => {
  it('reads topic_name as topic or topic:tag', () => {
    expect(rocketMqDestination('orders')).toEqual({ topic: 'orders' });
    expect(rocketMqDestination('orders:created')).toEqual({ topic: 'orders', tag: 'created' });
  });
});

describe('RocketMqSink options', () => {
  it.each([{}, { a: { endpoints: '' } }, { a: { endpoints: 'host' } }, { a: { endpoints: 'h:1,h:2' } }])('rejects clusters %j naming the field', (clusters) => {
    expect(() => new RocketMqSink({ clusters: clusters as never })).toThrow(/rocketmqClusters/);
  });

  it('accepts one or several proxy endpoints', () => {
    expect(() => new RocketMqSink({ clusters: { a: { endpoints: '127.0.0.1:8081' }, b: { endpoints: 'p1:8081;p2:8081' } } })).not.toThrow();
  });
});

describe('RoutingSink', () => {
  const message: OutboundMessage = { id: 1, key: 'k', topic: 't', value: Buffer.from('v'), headers: {} };

  it("sends each cluster's messages through its own sink and knows no other cluster", async () => {
    const kafka = new InMemorySink({ clusters: ['cluster_a'] });
    const rocket = new InMemorySink({ clusters: ['rocket_a'] });
    const routing = new RoutingSink(new Map([['cluster_a', kafka], ['rocket_a', rocket]]));
    expect(await routing.send('rocket_a', [message])).toEqual([{ ok: true }]);
    expect(rocket.messages('rocket_a')).toHaveLength(1);
    expect(kafka.messages('cluster_a')).toHaveLength(0);
    const [unknown] = await routing.send('elsewhere', [message]);
    expect(unknown?.ok === false && unknown.error.code).toBe('UNKNOWN_CLUSTER');
  });
});

describe('createOutbox with RocketMQ clusters', () => {
  const pool = {} as never;

  it('takes RocketMQ clusters alone or beside Kafka ones', () => {
    expect(() => createOutbox({ databases: [pool], rocketmqClusters: { rocket_a: { endpoints: '127.0.0.1:8081' } } })).not.toThrow();
    const both = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } }, rocketmqClusters: { rocket_a: { endpoints: '127.0.0.1:8081' } } });
    expect(both.sink).toBeInstanceOf(RoutingSink);
  });

  it('refuses a name that is both a Kafka and a RocketMQ cluster', () => {
    expect(() => createOutbox({ databases: [pool], clusters: { a: { brokers: ['h:1'] } }, rocketmqClusters: { a: { endpoints: 'h:2' } } })).toThrow(/rocketmqClusters\.a/);
  });
});
