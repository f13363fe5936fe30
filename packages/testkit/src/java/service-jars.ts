import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TestkitError } from '../errors/testkit-error.js';
import { MavenProgress } from './maven-progress.js';
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

let resolving: Promise<string> | undefined;

/**
 * Resolves the ZooKeeper and Kafka server jars from Maven Central once, into the cache folder,
 * and returns the folder holding them (a Java classpath wildcard target). The first run downloads
 * about 60 MB; `log` hears what is happening every few seconds, so that wait is never silent.
 */
export function resolveServiceJars(log: (line: string) => void = () => undefined): Promise<string> {
  const dir = join(servicesCacheDir(), `kafka-${KAFKA_VERSION}`);
  const libDir = join(dir, 'lib');
  if (existsSync(join(dir, 'complete'))) return Promise.resolve(libDir);
  // Callers starting ZooKeeper and Kafka side by side share one Maven run.
  resolving ??= download(dir, libDir, log).finally(() => (resolving = undefined));
  return resolving;
}

async function download(dir: string, libDir: string, log: (line: string) => void): Promise<string> {
  requireJavaAndMaven();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom());
  log(`First run: fetching ZooKeeper ${ZOOKEEPER_VERSION} and Kafka ${KAFKA_VERSION} from Maven Central (about 60 MB, once) into ${dir}`);
  const progress = new MavenProgress();
  const startedAt = Date.now();
  const ticker = setInterval(() => log(`  still fetching: ${progress.describe()}, ${Math.round((Date.now() - startedAt) / 1000)} s`), 3_000);
  const maven = spawn('mvn', ['-B', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DexcludeGroupIds=ch.qos.logback'], {
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
    throw new TestkitError('SERVICE_START_FAILED', `Maven could not resolve Kafka ${KAFKA_VERSION} / ZooKeeper ${ZOOKEEPER_VERSION} from Maven Central (mvn exit ${exit}); check that Maven Central is reachable (a proxy goes in ~/.m2/settings.xml):\n${output.join('\n')}`);
  }
  if (!readdirSync(libDir).some((name) => name.startsWith('kafka_2.13'))) {
    throw new TestkitError('SERVICE_START_FAILED', `Maven finished but ${libDir} holds no Kafka jar`);
  }
  log(`  done in ${Math.round((Date.now() - startedAt) / 1000)} s (${progress.describe()})`);
  writeFileSync(join(dir, 'complete'), new Date().toISOString());
  return libDir;
}
