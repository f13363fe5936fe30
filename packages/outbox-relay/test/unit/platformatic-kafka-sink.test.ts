import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import {
  classifyPlatformaticKafkaError, createClusterSink, createOutbox, InvalidOutboxConfigError, InvalidRelayServiceConfigError, KafkaDriverUnavailableError,
  parseRelayServiceConfig, PlatformaticKafkaSink, platformaticRunsOn,
} from '../../src/index.js';

const AUTO = { topicAutoCreate: true };

/** What @platformatic/kafka throws when a produce request's partitions come back with these Kafka errors. */
function producedWith(...kafkaErrors: string[]): MultipleErrors {
  return new MultipleErrors('Producing messages failed.', kafkaErrors.map((name) => new ProtocolError(name)));
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

function codeOf(thrown: unknown, options = AUTO): { code: string; retriable: boolean; fault: string } {
  const { code, retriable, fault } = classifyPlatformaticKafkaError(thrown, options);
  return { code, retriable, fault };
}

describe('classifyPlatformaticKafkaError', () => {
  it("a message too large is the record's fault and permanent, wherever it sits in the error tree", () => {
    expect(codeOf(producedWith('MESSAGE_TOO_LARGE'))).toEqual({ code: 'MESSAGE_TOO_LARGE', retriable: false, fault: 'record' });
    expect(codeOf(new MultipleErrors('send failed 1 times.', [producedWith('NOT_LEADER_OR_FOLLOWER', 'RECORD_LIST_TOO_LARGE')]))).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  it('reads the Kafka error a broker answered with inside a ResponseError', () => {
    expect(codeOf(new ResponseError(0, 9, { '/responses/0/partitionResponses/0': [10, 'too big'] }, {}))).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  it('a missing topic is retried while the broker creates topics, permanent when it does not', () => {
    expect(codeOf(producedWith('UNKNOWN_TOPIC_OR_PARTITION'))).toMatchObject({ code: 'DELIVERY_FAILED', retriable: true });
    expect(codeOf(producedWith('UNKNOWN_TOPIC_OR_PARTITION'), { topicAutoCreate: false })).toMatchObject({ code: 'TOPIC_NOT_FOUND', retriable: false });
    expect(codeOf(producedWith('INVALID_TOPIC_EXCEPTION'))).toMatchObject({ code: 'TOPIC_NOT_FOUND', retriable: false });
  });

  it("an unanswered request is a timeout, the destination's fault", () => {
    expect(codeOf(new MultipleErrors('produce failed 3 times.', [new TimeoutError('Request timed out', { canRetry: true })]))).toEqual({ code: 'DELIVERY_TIMEOUT', retriable: true, fault: 'destination' });
    expect(codeOf(producedWith('REQUEST_TIMED_OUT'))).toMatchObject({ code: 'DELIVERY_TIMEOUT' });
  });

  it('a broker nobody answers at, or a cluster in a state no message passes, is BROKER_UNAVAILABLE', () => {
    const noBroker = new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to 127.0.0.1:1 failed.', { cause: refused() })]);
    expect(codeOf(noBroker)).toEqual({ code: 'BROKER_UNAVAILABLE', retriable: true, fault: 'destination' });
    expect(classifyPlatformaticKafkaError(noBroker, AUTO).message).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(codeOf(new TimeoutError('Connection to 127.0.0.1:9 timed out.'))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(codeOf(producedWith('NOT_LEADER_OR_FOLLOWER'))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(codeOf(producedWith('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(codeOf(producedWith('NOT_ENOUGH_REPLICAS'))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
  });

  it('anything else is a retriable failure of the record', () => {
    expect(codeOf(new UserError('Failed to serialize a message.'))).toEqual({ code: 'DELIVERY_FAILED', retriable: true, fault: 'record' });
    expect(codeOf('a string')).toMatchObject({ code: 'DELIVERY_FAILED' });
  });
});

describe('choosing the Kafka driver', () => {
  it('knows which Node.js versions @platformatic/kafka runs on', () => {
    expect(['20.20.2', '22.21.0', '22.22.0', '23.11.0', '24.5.0', '24.6.0', 'v24.9.0', '26.0.0'].map((version) => [version, platformaticRunsOn(version)])).toEqual([
      ['20.20.2', false], ['22.21.0', false], ['22.22.0', true], ['23.11.0', false], ['24.5.0', false], ['24.6.0', true], ['v24.9.0', true], ['26.0.0', true],
    ]);
  });

  it('an unknown driver fails at start naming the cluster field and the value', () => {
    const build = (): unknown => createClusterSink({ clusters: { orders: { brokers: ['k:9092'], driver: 'rdkafka' as never } } });
    expect(build).toThrow(InvalidOutboxConfigError);
    expect(build).toThrow("Invalid outbox option clusters.orders.driver: must be one of 'kafkajs', 'platformatic'");
    expect(thrownBy(build)).toMatchObject({ field: 'clusters.orders.driver', value: 'rdkafka' });
  });

  it('createOutbox accepts driver as a cluster key', () => {
    const outbox = createOutbox({ databases: [fakeMysqlPool()], clusters: { orders: { brokers: ['k:9092'], driver: 'kafkajs' } } });
    expect(outbox.sink.constructor.name).toBe('KafkajsSink');
  });

  it('too old a Node.js is a typed error naming the cluster, not a failure at the first send', () => {
    const build = (): unknown => new PlatformaticKafkaSink({ clusters: { orders: { brokers: ['k:9092'] } } }, '20.20.2');
    expect(build).toThrow(KafkaDriverUnavailableError);
    expect(build).toThrow(/clusters\.orders\.driver.*Node\.js >= 22\.22 .* this is 20\.20\.2/);
    expect(thrownBy(build)).toMatchObject({ code: 'KAFKA_DRIVER_UNAVAILABLE', retriable: false, driver: 'platformatic', field: 'clusters.orders.driver' });
  });

  it('a SASL mechanism the driver does not speak fails at start', () => {
    const build = (): unknown => new PlatformaticKafkaSink({ clusters: { orders: { brokers: ['k:9092'], sasl: { mechanism: 'aws', authorizationIdentity: 'a', accessKeyId: 'b', secretAccessKey: 'c' } } } }, '24.9.0');
    expect(build).toThrow(InvalidOutboxConfigError);
    expect(build).toThrow('clusters.orders.sasl.mechanism');
  });

  it("the relay service's config file checks the driver's name", async () => {
    const file = 'databases: [{ host: h, user: u, database: d }]\nclusters: { main: { brokers: ["k:1"], driver: rdkafka } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const error = await parseRelayServiceConfig(file, 'relay.yaml', { env: {}, readFile: () => '' }).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRelayServiceConfigError);
    expect((error as InvalidRelayServiceConfigError).problems).toEqual([{ field: 'clusters.main.driver', value: 'rdkafka', message: expect.stringContaining('platformatic') }]);
  });
});

function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

/** Enough of a mysql2 pool for createOutbox to build the outbox without connecting. */
function fakeMysqlPool(): never {
  return { query: async () => [[]], getConnection: async () => ({}) } as never;
}
