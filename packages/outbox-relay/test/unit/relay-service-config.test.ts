import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidRelayServiceConfigError, parseRelayServiceConfig, type ReferenceSources } from '../../src/index.js';
import { runRelayCli } from '../../src/cli/relay-cli.js';

const FILES: Record<string, string> = {
  '/run/secrets/db': 'db-secret\n',
  '/run/secrets/token': 'a-token-of-twenty-chars\n',
};

function sources(env: Record<string, string> = {}): ReferenceSources {
  return {
    env,
    readFile: (path) => {
      const content = FILES[path];
      if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return content;
    },
  };
}

const VALID = `
instanceId: \${POD_NAME}
databases:
  - host: db1.internal
    user: relay
    passwordFile: /run/secrets/db
    database: orders
  - host: db2.internal
    port: \${DB2_PORT}
    user: relay
    password: \${DB2_PASSWORD}
    database: orders
    connectionLimit: 16
table: msg_send_record
columns: { state: mq_state }
states: { dead: 9 }
partitioning: { mode: virtual-partition, partitions: 256 }
clusters:
  main:
    brokers: \${KAFKA_BROKERS}
    ssl: true
    sasl: { mechanism: scram-sha-512, username: relay, password: "\${KAFKA_PASSWORD}" }
  audit:
    brokers: [k9.internal:9092]
relay:
  pageSize: 200
  maxRetries: 12
  backoff: { initialDelayMs: 500, maxDelayMs: 60000 }
zookeeper:
  connectString: zk1:2181,zk2:2181
  namespace: shop
job:
  shardingTotalCount: 16
  shutdownTimeoutMs: 20000
  jobParameter: "1,2"
cleanup:
  retentionMs: 86400000
http:
  host: 0.0.0.0
  port: 9464
  tokenFile: /run/secrets/token
`;

const VALID_ENV = { POD_NAME: 'relay-0', DB2_PORT: '3307', DB2_PASSWORD: '', KAFKA_BROKERS: 'k1:9092, k2:9092', KAFKA_PASSWORD: 'kafka-secret' };

async function problemsOf(text: string, env: Record<string, string> = {}): Promise<InvalidRelayServiceConfigError> {
  try {
    await parseRelayServiceConfig(text, 'relay.yaml', sources(env));
  } catch (error) {
    if (error instanceof InvalidRelayServiceConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('relay service config file', () => {
  it('reads a complete file: ${ENV} references, *File secrets, defaults of the job', async () => {
    const config = await parseRelayServiceConfig(VALID, 'relay.yaml', sources(VALID_ENV));
    expect(config.instanceId).toBe('relay-0');
    expect(config.databases).toEqual([
      { dialect: 'mysql', host: 'db1.internal', port: 3306, user: 'relay', password: 'db-secret', database: 'orders', connectionLimit: 8 },
      { dialect: 'mysql', host: 'db2.internal', port: 3307, user: 'relay', password: '', database: 'orders', connectionLimit: 16 },
    ]);
    expect(config.outbox.clusters?.['main']).toEqual({ brokers: ['k1:9092', 'k2:9092'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'relay', password: 'kafka-secret' } });
    expect(config.outbox.columns).toEqual({ state: 'mq_state' });
    expect(config.outbox.relay).toEqual({ pageSize: 200, maxRetries: 12, backoff: { initialDelayMs: 500, maxDelayMs: 60_000 } });
    expect(config.job).toEqual({ jobName: 'outbox-relay', cron: '* * * * * ?', overwrite: true, shardingTotalCount: 16, shutdownTimeoutMs: 20_000, jobParameter: '1,2', streamingProcess: true });
    // The cleanup deletes on the relay's items: same count, same parameter.
    expect(config.cleanupJob).toEqual({ jobName: 'outbox-relay-cleanup', cron: '0 0/10 * * * ?', timeZone: undefined, shardingTotalCount: 16, jobParameter: '1,2', shardingItemParameters: undefined, overwrite: true });
    expect(config.outbox.cleanup).toEqual({ retentionMs: 86_400_000, batchSize: undefined, pauseMs: undefined });
    expect(config.zookeeper).toEqual({ connectString: 'zk1:2181,zk2:2181', namespace: 'shop' });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9464, token: 'a-token-of-twenty-chars' });
  });

  it('names every bad field with its value, all at once', async () => {
    const error = await problemsOf(`
databases:
  - { host: db1, port: 99999, user: root, database: orders }
partitioning: { mode: virtual-partition, partitions: 0 }
clusters:
  main: { brokers: [], sasl: { mechanism: md5, username: u, password: p } }
relay: { pageSize: 0, maxRetries: -1, backoff: { multiplier: 0.5 }, circuitBreaker: { probeSize: 0 } }
zookeeper: { connectString: nope, namespace: "bad namespace", sessionTimeoutMs: 5 }
job: { cron: "61 * * * * ?", shardingTotalCount: 0, maxConcurrentItems: yes }
cleanup: { cron: "0 0 0 31 2 ?", batchSize: 0, pauseMs: -5 }
http: { port: -1 }
`);
    expect(error.code).toBe('INVALID_RELAY_SERVICE_CONFIG');
    expect(error.problems.map(({ field, value }) => [field, value])).toEqual([
      ['databases[0].port', 99999],
      ['clusters.main.brokers', []],
      ['clusters.main.sasl.mechanism', 'md5'],
      ['job.maxConcurrentItems', 'yes'],
      ['cleanup.pauseMs', -5],
      ['http.port', -1],
      ['job.shardingTotalCount', 0],
      ['job.cron', '61 * * * * ?'],
      ['cleanup.cron', '0 0 0 31 2 ?'],
      ['zookeeper.connectString', 'nope'],
      ['partitioning.partitions', 0],
      ['relay.pageSize', 0],
      ['relay.maxRetries', -1],
      ['relay.backoff.multiplier', 0.5],
      ['relay.circuitBreaker.probeSize', 0],
      ['cleanup.batchSize', 0],
    ]);
    for (const { field } of error.problems) expect(error.message).toContain(`${field}: `);
    for (const { value } of error.problems) expect(error.message).toContain(`(got ${JSON.stringify(value)})`);
  });

  it.each([
    ['zookeper: {}', 'zookeper', 'did you mean zookeeper?'],
    ['databases: [{ host: h, user: u, database: d, pasword: x }]', 'databases[0].pasword', 'did you mean databases[0].password?'],
    ['clusters: { main: { brokers: [k:1], sasl: { mechanism: plain, username: u, pasword: p } } }', 'clusters.main.sasl.pasword', 'did you mean clusters.main.sasl.password?'],
    ['relay: { backoff: { maxDelay: 10 } }', 'relay.backoff.maxDelay', 'did you mean relay.backoff.maxDelayMs?'],
    ['job: { shardingTotalCont: 4 }', 'job.shardingTotalCont', 'did you mean job.shardingTotalCount?'],
    ['job: { streamingProcess: false }', 'job.streamingProcess', 'is not a relay service option'],
    ['http: { port: 1, tokn: x }', 'http.tokn', 'did you mean http.token?'],
  ])('rejects the unknown key in %s, naming %s', async (line, field, hint) => {
    const error = await problemsOf(line);
    const problem = error.problems.find((entry) => entry.field === field);
    expect(problem?.message).toContain(hint);
  });

  it('checks the instance id as the scheduler would, and tells to quote a number given for a string', async () => {
    const error = await problemsOf('instanceId: "pod 1"\ndatabases: [{ host: h, user: u, database: d, password: 12345 }]\nclusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n');
    expect(error.problems).toEqual([
      { field: 'databases[0].password', value: '***', message: 'must be a string: YAML read a number, quote it' },
      { field: 'instanceId', value: 'pod 1', message: expect.stringContaining('must match') },
    ]);
  });

  it('takes RocketMQ clusters beside or instead of Kafka ones, their secret from the environment', async () => {
    const base = 'databases: [{ host: h, user: u, database: d }]\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const config = await parseRelayServiceConfig(`${base}rocketmqClusters:\n  rocket_a:\n    endpoints: p1:8081;p2:8081\n    credentials: { accessKey: relay, accessSecret: "\${ROCKET_SECRET}" }\n`, 'relay.yaml', sources({ ROCKET_SECRET: 'rocket-secret' }));
    expect(config.outbox.rocketmqClusters).toEqual({ rocket_a: { endpoints: 'p1:8081;p2:8081', credentials: { accessKey: 'relay', accessSecret: 'rocket-secret' } } });
    expect(config.outbox.clusters).toBeUndefined();
    const error = await problemsOf(`${base}rocketmqClusters:\n  rocket_a:\n    credentials: { accessSecret: rocket-secret }\n`);
    expect(error.problems.map(({ field, value }) => [field, value])).toEqual([
      ['rocketmqClusters.rocket_a.credentials.accessKey', undefined],
      ['rocketmqClusters.rocket_a.endpoints', undefined],
    ]);
    expect(error.message).not.toContain('rocket-secret');
    expect((await problemsOf(base)).problems).toEqual([{ field: 'clusters', value: undefined, message: 'is required: Kafka clusters, or rocketmqClusters, or both' }]);
  });

  it('runs on PostgreSQL with dialect: postgres (port 5432 by default), one dialect for every database', async () => {
    const rest = 'clusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const config = await parseRelayServiceConfig(`databases:\n  - { dialect: postgres, host: pg1, user: relay, database: orders }\n  - { dialect: postgres, host: pg2, port: 6432, user: relay, database: orders }\n${rest}`, 'relay.yaml', sources());
    expect(config.databases.map(({ dialect, host, port }) => [dialect, host, port])).toEqual([['postgres', 'pg1', 5432], ['postgres', 'pg2', 6432]]);
    const mixed = await problemsOf(`databases:\n  - { dialect: postgres, host: pg1, user: relay, database: orders }\n  - { host: my1, user: relay, database: orders }\n${rest}`);
    expect(mixed.problems).toEqual([{ field: 'databases', value: 'postgres, mysql', message: expect.stringContaining('same dialect') }]);
    const unknown = await problemsOf(`databases: [{ dialect: oracle, host: h, user: u, database: d }]\n${rest}`);
    expect(unknown.problems.map(({ field, value }) => [field, value])).toEqual([['databases[0].dialect', 'oracle']]);
  });

  describe('wakeup', () => {
    const rest = 'clusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const mysqlFile = (wakeup: string): string => `databases: [{ host: h, user: u, database: d }]\n${rest}wakeup: ${wakeup}\n`;
    const pgFile = (wakeup: string): string => `databases: [{ dialect: postgres, host: h, user: u, database: d }]\n${rest}wakeup: ${wakeup}\n`;

    it('takes createOutbox\'s options; the LISTENing connection adds one to the default pool size', async () => {
      const poll = await parseRelayServiceConfig(mysqlFile('{ coalesceMs: 10, pollMinMs: 20, pollMaxMs: 500 }'), 'relay.yaml', sources());
      expect(poll.outbox.wakeup).toEqual({ coalesceMs: 10, pollMinMs: 20, pollMaxMs: 500 });
      expect(poll.databases[0]?.connectionLimit).toBe(8);
      const notify = await parseRelayServiceConfig(pgFile('{ channel: orders_outbox }'), 'relay.yaml', sources());
      expect(notify.outbox.wakeup).toEqual({ channel: 'orders_outbox' });
      expect(notify.databases[0]?.connectionLimit).toBe(9);
      const pgPoll = await parseRelayServiceConfig(pgFile('{ mode: poll, pollMaxMs: 3600000 }'), 'relay.yaml', sources());
      expect(pgPoll.outbox.wakeup).toEqual({ mode: 'poll', pollMaxMs: 3_600_000 });
      expect(pgPoll.databases[0]?.connectionLimit).toBe(8);
      const withoutWakeup = await parseRelayServiceConfig(`databases: [{ dialect: postgres, host: h, user: u, database: d }]\n${rest}`, 'relay.yaml', sources());
      expect(withoutWakeup.outbox.wakeup).toBeUndefined();
      expect(withoutWakeup.databases[0]?.connectionLimit).toBe(8);
    });

    it.each([
      ['true', {}, true, 9],
      ['false', {}, false, 8],
      ['"${RELAY_WAKEUP}"', { RELAY_WAKEUP: 'true' }, true, 9],
      ['"${RELAY_WAKEUP}"', { RELAY_WAKEUP: 'false' }, false, 8],
    ])('switches on or off with wakeup: %s (env %j) on PostgreSQL', async (value, env, expected, connectionLimit) => {
      const config = await parseRelayServiceConfig(pgFile(value), 'relay.yaml', sources(env));
      expect(config.outbox.wakeup).toBe(expected);
      expect(config.databases[0]?.connectionLimit).toBe(connectionLimit);
    });

    it('names every bad option with its value, all at once, judged as createOutbox judges them', async () => {
      const error = await problemsOf(mysqlFile(`{ mode: notify, coalesceMs: 0, pollMinMs: 20, pollMaxMs: 10, channel: "${'c'.repeat(64)}" }`));
      expect(error).toBeInstanceOf(InvalidRelayServiceConfigError);
      expect(error.code).toBe('INVALID_RELAY_SERVICE_CONFIG');
      expect(error.problems).toEqual([
        { field: 'wakeup.mode', value: 'notify', message: "'notify' needs PostgreSQL; use 'poll' on MySQL" },
        { field: 'wakeup.coalesceMs', value: 0, message: 'must be an integer from 1 to 60000' },
        { field: 'wakeup.pollMaxMs', value: 10, message: 'must be an integer from wakeup.pollMinMs to 3600000' },
        { field: 'wakeup.channel', value: 'c'.repeat(64), message: 'must be a non-empty string of at most 63 bytes' },
      ]);
      for (const { field } of error.problems) expect(error.message).toContain(`${field}: `);
      for (const { value } of error.problems) expect(error.message).toContain(`(got ${JSON.stringify(value)})`);
    });

    it.each([
      ['{ mode: listen }', {}, 'wakeup.mode', 'listen', 'must be one of notify, poll'],
      ['{ pollMaxMs: 40 }', {}, 'wakeup.pollMaxMs', 40, 'must be an integer from wakeup.pollMinMs to 3600000'],
      // The longest wait cannot be judged against a shortest that is wrong: one problem, not two.
      ['{ pollMinMs: 2.5, pollMaxMs: 10 }', {}, 'wakeup.pollMinMs', 2.5, 'must be an integer from 1 to 60000'],
      ['{ coalesceMs: soon }', {}, 'wakeup.coalesceMs', 'soon', 'must be a number'],
      ['{ pollMin: 20 }', {}, 'wakeup.pollMin', 20, 'is not a relay service option; did you mean wakeup.pollMinMs?'],
      ['yes', {}, 'wakeup', 'yes', 'must be true, false or a mapping'],
      ['"${RELAY_WAKEUP}"', { RELAY_WAKEUP: 'on' }, 'wakeup', 'on', 'must be true, false or a mapping'],
      ['"${RELAY_WAKEUP}"', {}, 'wakeup', '${RELAY_WAKEUP}', 'references ${RELAY_WAKEUP}, not set in the environment'],
      ['[poll]', {}, 'wakeup', ['poll'], 'must be true, false or a mapping'],
    ])('rejects wakeup: %s (env %j), naming %s = %j', async (value, env, field, got, message) => {
      const error = await problemsOf(mysqlFile(value), env);
      expect(error.problems).toEqual([{ field, value: got, message }]);
    });
  });

  describe('history', () => {
    const rest = 'clusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const file = (history: string): string => `databases: [{ host: db1, user: relay, password: s, database: orders }]\n${rest}history: ${history}\n`;

    it('is off without the section; true records into the first database through a pool of 2', async () => {
      expect((await parseRelayServiceConfig(`databases: [{ host: db1, user: relay, database: orders }]\n${rest}`, 'relay.yaml', sources())).history).toBeUndefined();
      expect((await parseRelayServiceConfig(file('false'), 'relay.yaml', sources())).history).toBeUndefined();
      const config = await parseRelayServiceConfig(file('true'), 'relay.yaml', sources());
      expect(config.history).toEqual({
        database: { dialect: 'mysql', host: 'db1', port: 3306, user: 'relay', password: 's', database: 'orders', connectionLimit: 2 },
        options: {},
      });
      // The relay's own pool is unchanged.
      expect(config.databases[0]?.connectionLimit).toBe(8);
    });

    it('takes a database of its own, of either dialect, with its secret from a file, and JobHistory\'s options', async () => {
      const config = await parseRelayServiceConfig(file(`
  database: { dialect: postgres, host: pg-history, user: history, passwordFile: /run/secrets/db, database: jobs }
  retentionMs: 86400000
  queueSize: 5000
  batchSize: 100`), 'relay.yaml', sources());
      expect(config.history).toEqual({
        database: { dialect: 'postgres', host: 'pg-history', port: 5432, user: 'history', password: 'db-secret', database: 'jobs', connectionLimit: 2 },
        options: { retentionMs: 86_400_000, queueSize: 5000, batchSize: 100 },
      });
    });

    it('names every bad option with its value, all at once, judged as JobHistory judges them', async () => {
      const error = await problemsOf(file('{ retentionMs: 0, queueSize: 0.5, batchSize: -1, database: { host: h, user: u, database: d, port: 0 }, keep: 7 }'));
      expect(error.problems).toEqual([
        { field: 'history.database.port', value: 0, message: 'must be from 1 to 65535' },
        { field: 'history.keep', value: 7, message: expect.stringContaining('is not a relay service option') },
        { field: 'history.retentionMs', value: 0, message: 'must be > 0, or undefined to keep everything' },
        { field: 'history.queueSize', value: 0.5, message: 'must be an integer >= 1' },
        { field: 'history.batchSize', value: -1, message: 'must be an integer >= 1' },
      ]);
      for (const { field } of error.problems) expect(error.message).toContain(`${field}: `);
    });

    it.each([
      ['yes', 'history', 'yes', 'must be true, false or a mapping'],
      ['{ queueSize: many }', 'history.queueSize', 'many', 'must be a number'],
    ])('rejects history: %s, naming %s = %j', async (value, field, got, message) => {
      expect((await problemsOf(file(value))).problems).toEqual([{ field, value: got, message }]);
    });
  });

  it('reports missing required fields by path', async () => {
    const error = await problemsOf('databases: [{ host: h }]\nzookeeper: { namespace: n }\njob: {}\n');
    expect(error.problems.map((problem) => problem.field)).toEqual(['databases[0].user', 'databases[0].database', 'zookeeper.connectString', 'job.shardingTotalCount', 'clusters']);
  });

  it('never shows a secret: not in a value, not in the message', async () => {
    const error = await problemsOf(`
databases: [{ host: h, user: u, database: d, password: "\${NOT_SET}" }]
clusters: { main: { brokers: [k:1], sasl: { mechanism: plain, username: u, password: kafka-secret, passwordFile: /run/secrets/db } } }
zookeeper: { connectString: "zk:2181", namespace: n, digest: nocolon-secret }
job: { shardingTotalCount: 1 }
http: { port: 1, token: short-secret }
`);
    expect(error.problems.map(({ field, value }) => [field, value])).toEqual([
      ['databases[0].password', '***'],
      ['clusters.main.sasl.passwordFile', '/run/secrets/db'],
      ['zookeeper.digest', '***'],
      ['http.token', '***'],
    ]);
    expect(error.message).toContain('${NOT_SET}, not set in the environment');
    for (const secret of ['kafka-secret', 'nocolon-secret', 'short-secret', 'db-secret']) expect(error.message).not.toContain(secret);
  });

  it('needs a token to listen off loopback, and reads it from a file', async () => {
    const base = 'databases: [{ host: h, user: u, database: d }]\nclusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 1 }\n';
    const error = await problemsOf(`${base}http: { host: 10.0.0.5, port: 9464 }\n`);
    expect(error.problems).toEqual([expect.objectContaining({ field: 'http.token', message: expect.stringContaining('not a loopback address (10.0.0.5)') })]);
    expect((await parseRelayServiceConfig(`${base}http: { port: 9464 }\n`, 'relay.yaml', sources())).http).toEqual({ host: '127.0.0.1', port: 9464, token: undefined });
    const missingFile = await problemsOf(`${base}http: { host: 0.0.0.0, port: 9464, tokenFile: /run/secrets/none }\n`);
    expect(missingFile.problems.map((problem) => problem.field)).toEqual(['http.tokenFile']);
  });

  it('reports broken YAML with its line', async () => {
    const error = await problemsOf('databases:\n  - host: h\n    host: again\n');
    expect(error.problems[0]?.field).toBe('(yaml line 3, column 5)');
    expect(error.problems[0]?.value).toBe('host: again');
  });
});

describe('docs/deployment.md', () => {
  it('shows a config file that passes the check, every key at its documented place', async () => {
    const doc = readFileSync(new URL('../../../../docs/deployment.md', import.meta.url), 'utf8');
    const reference = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const env = Object.fromEntries([...reference.matchAll(/\$\{([A-Z_]+)\}/g)].map(([, name]) => [name as string, name === 'ZK_DIGEST' ? 'relay:zk-secret' : `${name}-value-of-16-chars`]));
    const config = await parseRelayServiceConfig(reference, 'deployment.md', { env, readFile: (path) => `content of ${path}\n` });
    expect(Object.keys(config.outbox.clusters ?? {})).toEqual(['cluster_a', 'cluster_b']);
    expect(config.outbox.rocketmqClusters?.['rocket_a']?.credentials).toEqual({ accessKey: 'relay', accessSecret: 'content of /run/secrets/rocket-a-secret' });
    expect(config.outbox.clusters?.['cluster_a']?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'relay', password: 'content of /run/secrets/kafka-a-password' });
    expect(config.job).toMatchObject({ jobName: 'outbox-relay', shardingTotalCount: 8, streamingProcess: true, overwrite: true });
    expect(config.cleanupJob).toMatchObject({ jobName: 'outbox-relay-cleanup', cron: '0 0/10 * * * ?', shardingTotalCount: 8 });
    expect(config.outbox.cleanup).toEqual({ retentionMs: 604_800_000, batchSize: 1_000, pauseMs: 50 });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464, token: 'RELAY_HTTP_TOKEN-value-of-16-chars' });
    expect(config.outbox.wakeup).toEqual({ mode: 'poll', coalesceMs: 50, pollMinMs: 50, pollMaxMs: 1_000, channel: 'shardflow_outbox' });
  });

  it.each([['true', true, 9], ['false', false, 8]])('shows a wakeup example that passes the check with RELAY_WAKEUP=%s', async (switchValue, wakeup, connectionLimit) => {
    const doc = readFileSync(new URL('../../../../docs/deployment.md', import.meta.url), 'utf8');
    const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').find((block) => block.includes('wakeup: ${RELAY_WAKEUP}')) ?? '';
    const env = { POD_NAME: 'relay-0', KAFKA_A_BROKERS: 'k1:9092', RELAY_WAKEUP: switchValue };
    const config = await parseRelayServiceConfig(example, 'deployment.md', { env, readFile: (path) => `content of ${path}\n` });
    expect(config.outbox.wakeup).toBe(wakeup);
    expect(config.databases.map(({ dialect, connectionLimit: limit }) => [dialect, limit])).toEqual([['postgres', connectionLimit]]);
    expect(config.job).toMatchObject({ cron: '0 * * * * ?', shardingTotalCount: 8 });
  });
});

describe('shardflow-outbox relay --check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRelayCli(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, new Promise(() => undefined));
    return { code, out, err };
  };

  it('exits 0 on a good file and 2 on a bad one, printing every problem', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'databases: [{ host: h, user: u, database: d }]\nclusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 4 }\n');
    expect(await run(['--config', good, '--check'])).toEqual({ code: 0, out: [`${good}: ok (job outbox-relay, 4 items, 1 database(s), clusters main)`], err: [] });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'databases: [{ host: h, user: u, database: d, port: 0 }]\nclusters: { main: { brokers: "k:1" } }\nzookeeper: { connectString: "zk:2181", namespace: n }\njob: { shardingTotalCount: 4, cron: "x" }\n');
    const result = await run(['--config', bad, '--check']);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(/2 problems\n {2}databases\[0\]\.port: must be from 1 to 65535 \(got 0\)\n {2}job\.cron: .*\(got "x"\)/);
    expect((await run(['--check'])).code).toBe(2);
    expect((await run(['--config', join(dir, 'none.yaml'), '--check'])).err.join('\n')).toContain('(file): cannot be read');
  });
});
