import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TestkitError } from '../errors/testkit-error.js';
import { requireJavaAndMaven } from './tools.js';

export const KAFKA_VERSION = '3.9.1';
export const ZOOKEEPER_VERSION = '3.8.4';

/** Where resolved jars are kept between runs, outside any repository. */
export function servicesCacheDir(): string {
  return process.env['SHARDFLOW_SERVICES_CACHE'] ?? join(homedir(), '.cache', 'shardflow', 'services');
}

function pom(): string {
  // logback comes in through ZooKeeper; excluding it leaves one SLF4J binding (reload4j), so the
  // log4j.properties we hand each JVM is what decides its logging.
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.shardflow.testkit</groupId>
  <artifactId>services</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
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
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * Resolves the ZooKeeper and Kafka server jars from Maven Central once, into the cache folder,
 * and returns the folder holding them (a Java classpath wildcard target).
 */
export function resolveServiceJars(): string {
  const dir = join(servicesCacheDir(), `kafka-${KAFKA_VERSION}`);
  const libDir = join(dir, 'lib');
  const marker = join(dir, 'complete');
  if (existsSync(marker)) return libDir;
  requireJavaAndMaven();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom());
  try {
    execFileSync('mvn', ['-B', '-q', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DexcludeGroupIds=ch.qos.logback'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const output = error instanceof Error && 'stdout' in error ? String((error as { stdout: unknown }).stdout) : '';
    throw new TestkitError('SERVICE_START_FAILED', `Maven could not resolve Kafka ${KAFKA_VERSION} / ZooKeeper ${ZOOKEEPER_VERSION} from Maven Central:\n${output.slice(-2000)}`, { cause: error });
  }
  if (!readdirSync(libDir).some((name) => name.startsWith('kafka_2.13'))) {
    throw new TestkitError('SERVICE_START_FAILED', `Maven finished but ${libDir} holds no Kafka jar`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libDir;
}
