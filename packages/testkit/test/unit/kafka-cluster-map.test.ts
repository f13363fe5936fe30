import { describe, expect, it } from 'vitest';
import { formatKafkaClusterMap, parseKafkaClusterMap, TestkitError } from '../../src/index.js';

describe('parseKafkaClusterMap', () => {
  it('reads named clusters with one or several brokers', () => {
    expect(parseKafkaClusterMap('cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093,127.0.0.1:9094')).toEqual({
      cluster_a: '127.0.0.1:9092',
      cluster_b: '127.0.0.1:9093,127.0.0.1:9094',
    });
  });

  it('names a bare broker list "default"', () => {
    expect(parseKafkaClusterMap('localhost:9092')).toEqual({ default: 'localhost:9092' });
  });

  it('round-trips through formatKafkaClusterMap', () => {
    const map = { a: 'h:1', b: 'h:2,h:3' };
    expect(parseKafkaClusterMap(formatKafkaClusterMap(map))).toEqual(map);
  });

  it.each(['', 'a=', 'a=host', 'a=h:1;a=h:2', 'bad name=h:1'])('rejects %j with a typed error', (value) => {
    expect(() => parseKafkaClusterMap(value)).toThrow(TestkitError);
  });
});

describe('SHARDFLOW_KAFKA errors', () => {
  it('repeat the bad value and show the expected form', () => {
    expect(() => parseKafkaClusterMap('cluster_a=127.0.0.1')).toThrow(/'cluster_a=127\.0\.0\.1'.*expected name=host:port;name=host:port/);
  });
});
