import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TestkitError } from '../errors/testkit-error.js';
import { requireJavaAndMaven } from './tools.js';

export const KAFKA_VERSION = '3.9.1';
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
  /** A jar name prefix that must be there once Maven is done. */
  readonly mainJar: string;
}

/**
 * Resolves a set of server jars from Maven Central once, into the cache folder, and returns the
 * folder holding them (a Java classpath wildcard target).
 */
function resolveJars(set: JarSet): string {
  const dir = join(servicesCacheDir(), set.dir);
  const libDir = join(dir, 'lib');
  const marker = join(dir, 'complete');
  if (existsSync(marker)) return libDir;
  requireJavaAndMaven();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom(set.dependencies));
  const exclude = set.excludeGroupIds ? [`-DexcludeGroupIds=${set.excludeGroupIds}`] : [];
  try {
    execFileSync('mvn', ['-B', '-q', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, ...exclude], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const output = error instanceof Error && 'stdout' in error ? String((error as { stdout: unknown }).stdout) : '';
    throw new TestkitError('SERVICE_START_FAILED', `Maven could not resolve ${set.what} from Maven Central:\n${output.slice(-2000)}`, { cause: error });
  }
  if (!readdirSync(libDir).some((name) => name.startsWith(set.mainJar))) {
    throw new TestkitError('SERVICE_START_FAILED', `Maven finished but ${libDir} holds no ${set.mainJar} jar`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libDir;
}

/** The ZooKeeper and Kafka server jars. */
export function resolveServiceJars(): string {
  return resolveJars({
    dir: `kafka-${KAFKA_VERSION}`,
    what: `Kafka ${KAFKA_VERSION} / ZooKeeper ${ZOOKEEPER_VERSION}`,
    dependencies: KAFKA_DEPENDENCIES,
    excludeGroupIds: 'ch.qos.logback',
    mainJar: 'kafka_2.13',
  });
}

/** The RocketMQ name server, broker, proxy and admin tool jars. */
export function resolveRocketMqJars(): string {
  return resolveJars({
    dir: `rocketmq-${ROCKETMQ_VERSION}`,
    what: `RocketMQ ${ROCKETMQ_VERSION}`,
    dependencies: ROCKETMQ_DEPENDENCIES,
    mainJar: 'rocketmq-proxy',
  });
}
