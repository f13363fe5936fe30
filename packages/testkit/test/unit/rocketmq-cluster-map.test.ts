import { describe, expect, it } from 'vitest';
import { formatRocketMqClusterMap, parseRocketMqClusterMap, TestkitError } from '../../src/index.js';
import { renderBrokerProperties } from '../../src/rocketmq/rocketmq-cluster.js';

describe('parseRocketMqClusterMap', () => {
  it('reads each cluster as proxy endpoint @ name server', () => {
    expect(parseRocketMqClusterMap('rocket_a=127.0.0.1:8081@127.0.0.1:9876;rocket_b=h:1@h:2')).toEqual({
      rocket_a: { endpoints: '127.0.0.1:8081', namesrv: '127.0.0.1:9876' },
      rocket_b: { endpoints: 'h:1', namesrv: 'h:2' },
    });
  });

  it('round-trips through formatRocketMqClusterMap', () => {
    const map = { a: { endpoints: 'h:1', namesrv: 'h:2' } };
    expect(parseRocketMqClusterMap(formatRocketMqClusterMap(map))).toEqual(map);
  });

  it.each(['', 'a=h:1', 'a=h:1@', 'a=@h:2', 'a=h:1@h:2@h:3', 'a=h:1,h:3@h:2', 'a=h:1@h:2;a=h:1@h:2'])('rejects %j with a typed error', (value) => {
    expect(() => parseRocketMqClusterMap(value)).toThrow(TestkitError);
  });
});

describe('renderBrokerProperties', () => {
  it('binds the broker to loopback on the given ports and keeps its files small', () => {
    const properties = renderBrokerProperties('a', '/tmp/store', { namesrv: 1, broker: 2, brokerHa: 3, proxyGrpc: 4, proxyRemoting: 5 });
    expect(properties).toContain('bindAddress=127.0.0.1\n');
    expect(properties).toContain('listenPort=2\n');
    expect(properties).toContain('haListenPort=3\n');
    expect(properties).toContain('namesrvAddr=127.0.0.1:1\n');
    expect(properties).toContain('mappedFileSizeCommitLog=67108864\n');
  });
});
