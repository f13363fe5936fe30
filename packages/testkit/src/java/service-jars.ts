import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TestkitError } from '../errors/testkit-error.js';
import { MavenProgress } from './maven-progress.js';
import { requireJavaAndMaven } from './tools.js';

export const KAFKA_VERSION = '3.9.1';
/**
 * Kafka's command-line tools used by the benchmarks: newer than the broker, because ProducerPerformance
 * has `--warmup-records` (a steady-state summary that leaves out its JVM's warm-up) from 4.x on.
 * A 4.x Java client talks to brokers from 2.1 on.
 */
export const KAFKA_TOOLS_VERSION = '4.4.0';
export const ZOOKEEPER_VERSION = '3.8.4';
export const ROCKETMQ_VERSION = '5.2.0';

/** Where resolved jars are kept between runs, outside any repository. */
export function servicesCacheDir(): string {
  return process.env['SHARDFLOW_SERVICES_CACHE'] ?? join(homedir(), '.cache', 'shardflow', 'services');
}

function pom(dependencies: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.shardflow.testkit</groupId>
  <artifactId>services</artifactId>
  <version>1</version>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

// logback comes in through ZooKeeper; excluding it leaves one SLF4J binding (reload4j), so the
// log4j.properties we hand each JVM is what decides its logging.
const KAFKA_DEPENDENCIES = `    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.zookeeper</groupId><artifactId>zookeeper</artifactId><version>${ZOOKEEPER_VERSION}</version>
      <exclusions>
        <exclusion><groupId>ch.qos.logback</groupId><artifactId>logback-classic</artifactId></exclusion>
        <exclusion><groupId>ch.qos.logback</groupId><artifactId>logback-core</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version>
    </dependency>`;

const KAFKA_TOOLS_DEPENDENCIES = `    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${KAFKA_TOOLS_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version>
    </dependency>`;

// The proxy artifact brings the broker (it can embed one: local mode); the name server is its own.
const ROCKETMQ_DEPENDENCIES = ['rocketmq-namesrv', 'rocketmq-proxy', 'rocketmq-tools']
  .map((artifact) => `    <dependency>
      <groupId>org.apache.rocketmq</groupId><artifactId>${artifact}</artifactId><version>${ROCKETMQ_VERSION}</version>
    </dependency>`)
  .join('\n');

interface JarSet {
  readonly dir: string;
  readonly what: string;
  readonly dependencies: string;
  readonly excludeGroupIds?: string;
  /** Roughly how much the first fetch downloads, for the progress line. */
  readonly size: string;
  /** A jar name prefix that must be there once Maven is done. */
  readonly mainJar: string;
}

/** Sets being fetched right now: callers starting services side by side share one Maven run. */
const resolving = new Map<string, Promise<string>>();

/**
 * Resolves a set of server jars from Maven Central once, into the cache folder, and returns the
 * folder holding them (a Java classpath wildcard target). The first run downloads tens of MB;
 * `log` hears what is happening every few seconds, so that wait is never silent.
 */
function resolveJars(set: JarSet, log: (line: string) => void): Promise<string> {
  const dir = join(servicesCacheDir(), set.dir);
  const libDir = join(dir, 'lib');
  if (existsSync(join(dir, 'complete'))) return Promise.resolve(libDir);
  let pending = resolving.get(set.dir);
  if (!pending) {
    pending = download(set, dir, libDir, log).finally(() => resolving.delete(set.dir));
    resolving.set(set.dir, pending);
  }
  return pending;
}

async function download(set: JarSet, dir: string, libDir: string, log: (line: string) => void): Promise<string> {
  requireJavaAndMaven();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom(set.dependencies));
  log(`First run: fetching ${set.what} from Maven Central (${set.size}, once) into ${dir}`);
  const progress = new MavenProgress();
  const startedAt = Date.now();
  const ticker = setInterval(() => log(`  still fetching: ${progress.describe()}, ${Math.round((Date.now() - startedAt) / 1000)} s`), 3_000);
  const exclude = set.excludeGroupIds ? [`-DexcludeGroupIds=${set.excludeGroupIds}`] : [];
  const maven = spawn('mvn', ['-B', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, ...exclude], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timeout = setTimeout(() => maven.kill('SIGKILL'), 15 * 60_000);
  const output: string[] = [];
  for (const stream of [maven.stdout, maven.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      progress.feed(line);
      output.push(line);
      if (output.length > 40) output.shift();
    });
  }
  const exit = await new Promise<number | string | null>((resolve) => {
    maven.once('error', (error) => resolve(error.message));
    maven.once('close', (code, signal) => resolve(code ?? signal));
  });
  clearInterval(ticker);
  clearTimeout(timeout);
  if (exit !== 0) {
    throw new TestkitError('SERVICE_START_FAILED', `Maven could not resolve ${set.what} from Maven Central (mvn exit ${exit}); check that Maven Central is reachable (a proxy goes in ~/.m2/settings.xml):\n${output.join('\n')}`);
  }
  if (!readdirSync(libDir).some((name) => name.startsWith(set.mainJar))) {
    throw new TestkitError('SERVICE_START_FAILED', `Maven finished but ${libDir} holds no ${set.mainJar} jar`);
  }
  log(`  done in ${Math.round((Date.now() - startedAt) / 1000)} s (${progress.describe()})`);
  writeFileSync(join(dir, 'complete'), new Date().toISOString());
  return libDir;
}

/** The ZooKeeper and Kafka server jars. */
export function resolveServiceJars(log: (line: string) => void = () => undefined): Promise<string> {
  return resolveJars({
    dir: `kafka-${KAFKA_VERSION}`,
    what: `ZooKeeper ${ZOOKEEPER_VERSION} and Kafka ${KAFKA_VERSION}`,
    size: 'about 60 MB',
    dependencies: KAFKA_DEPENDENCIES,
    excludeGroupIds: 'ch.qos.logback',
    mainJar: 'kafka_2.13',
  }, log);
}

/**
 * Kafka's own command-line tools (ProducerPerformance among them), of KAFKA_TOOLS_VERSION, for
 * benchmarks that measure what the broker takes from Kafka's Java client.
 */
export function resolveKafkaToolsJars(log: (line: string) => void = () => undefined): Promise<string> {
  return resolveJars({
    dir: `kafka-tools-${KAFKA_TOOLS_VERSION}`,
    what: `the Kafka ${KAFKA_TOOLS_VERSION} tools`,
    size: 'about 15 MB',
    dependencies: KAFKA_TOOLS_DEPENDENCIES,
    mainJar: `kafka-tools-${KAFKA_TOOLS_VERSION}`,
  }, log);
}

/** The RocketMQ name server, broker, proxy and admin tool jars. */
export function resolveRocketMqJars(log: (line: string) => void = () => undefined): Promise<string> {
  return resolveJars({
    dir: `rocketmq-${ROCKETMQ_VERSION}`,
    what: `RocketMQ ${ROCKETMQ_VERSION}`,
    size: 'about 100 MB',
    dependencies: ROCKETMQ_DEPENDENCIES,
    mainJar: 'rocketmq-proxy',
  }, log);
}
