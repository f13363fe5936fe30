import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { resolveServiceJars } from '../java/service-jars.js';
import { JvmProcess } from '../java/jvm-process.js';
import { freePort } from '../ports.js';
import { waitUntil } from '../wait-until.js';
import { TestkitError } from '../errors/testkit-error.js';

export interface KafkaPorts {
  readonly broker: number;
  readonly controller: number;
}

/** server.properties of a single KRaft node acting as broker and controller, tuned for tests. */
export function renderKafkaProperties(logDir: string, ports: KafkaPorts): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.broker},CONTROLLER://127.0.0.1:${ports.controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.broker}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=4',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'min.insync.replicas=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'log.segment.bytes=16777216',
    'log.retention.hours=1',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'log.cleaner.enable=false',
    '',
  ].join('\n');
}

/**
 * One Kafka cluster (a single KRaft node) on loopback. `stop()` really takes it away, so clients
 * fail the way they do in production; `start()` brings it back on the same ports and data.
 */
export class KafkaCluster {
  private constructor(
    readonly name: string,
    private readonly ports: KafkaPorts,
    private readonly process: JvmProcess,
  ) {}

  static async start(options: { name: string; startTimeoutMs?: number }): Promise<KafkaCluster> {
    const classpathDir = await resolveServiceJars();
    const workDir = mkdtempSync(join(tmpdir(), `shardflow-kafka-${options.name}-`));
    const logDir = join(workDir, 'data');
    mkdirSync(logDir, { recursive: true });
    const ports = { broker: await freePort(), controller: await freePort() };
    const properties = join(workDir, 'server.properties');
    writeFileSync(properties, renderKafkaProperties(logDir, ports));
    try {
      // Asynchronous: the format takes seconds of JVM start, during which the other services start.
      await promisify(execFile)('java', ['-Xmx128m', '-cp', `${classpathDir}/*`, 'kafka.tools.StorageTool', 'format', '-t', newKafkaClusterId(), '-c', properties, '--ignore-formatted'], {
        timeout: 60_000,
      });
    } catch (error) {
      throw new TestkitError('SERVICE_START_FAILED', `Kafka storage format failed for cluster ${options.name}`, { cause: error });
    }
    const process = new JvmProcess({ name: `kafka-${options.name}`, classpathDir, mainClass: 'kafka.Kafka', args: [properties], workDir, heapMb: 384 });
    const cluster = new KafkaCluster(options.name, ports, process);
    await cluster.start(options.startTimeoutMs);
    return cluster;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.ports.broker}`;
  }

  get running(): boolean {
    return this.process.running;
  }

  /**
   * Starts a stopped cluster again and waits until a produce/consume round trip works and every
   * partition of every topic has a leader again: after a restart the broker answers the probe
   * topic while other partitions may still be leaderless for a moment.
   */
  async start(timeoutMs = 90_000): Promise<void> {
    this.process.start();
    await waitUntil(async () => (await roundTrip(this.bootstrap)) && (await everyPartitionLed(this.bootstrap)), {
      what: `Kafka cluster ${this.name} (${this.bootstrap}) to deliver a message and lead every partition`,
      timeoutMs,
      intervalMs: 250,
      detail: () => this.process.tail(),
    });
  }

  async stop(): Promise<void> {
    await this.process.stop(15_000);
  }
}

/** Produces one message and reads it back: the broker is really usable, not just listening. */
export async function roundTrip(bootstrap: string): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'shardflow-testkit-probe', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 }, connectionTimeout: 2_000 });
  const topic = 'shardflow-testkit-probe';
  const value = randomUUID();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  const consumer = kafka.consumer({ groupId: `probe-${value}` });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value }], acks: -1 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 15_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === value) {
            clearTimeout(timer);
            resolve(true);
          }
        },
      });
    });
  } finally {
    await Promise.allSettled([producer.disconnect(), consumer.disconnect()]);
  }
}

/** Whether every partition of every topic on the cluster has a leader. */
async function everyPartitionLed(bootstrap: string): Promise<boolean> {
  const admin = new Kafka({ clientId: 'shardflow-testkit-probe', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 }, connectionTimeout: 2_000 }).admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return topics.every((topic) => topic.partitions.every((partition) => partition.leader >= 0 && partition.partitionErrorCode === 0));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A random KRaft cluster id. The storage tool's argument parser reads an id that starts with '-'
 * as an option (and fails), so the top bit of the first byte is cleared: the first base64url
 * character is then one of A-Z or a-f.
 */
export function newKafkaClusterId(random: Buffer = randomBytes(16)): string {
  const bytes = Buffer.from(random);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('base64url');
}
