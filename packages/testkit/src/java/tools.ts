import { execFileSync } from 'node:child_process';
import { TestkitError } from '../errors/testkit-error.js';

function probe(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Fails at once, naming the tool and how to install it, when Java or Maven is missing. */
export function requireJavaAndMaven(): void {
  const missing: string[] = [];
  if (!probe('java', ['-version'])) missing.push('java (a JDK or JRE 11+)');
  if (!probe('mvn', ['-v'])) missing.push('mvn (Apache Maven 3)');
  if (missing.length > 0) {
    throw new TestkitError(
      'MISSING_TOOL',
      `Cannot start the test services (ZooKeeper, Kafka, RocketMQ): ${missing.join(' and ')} not found on PATH. ` +
        'On Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless maven. ' +
        'Or point the tests at running services with SHARDFLOW_ZK, SHARDFLOW_KAFKA, SHARDFLOW_ROCKETMQ and SHARDFLOW_MYSQL_URL.',
    );
  }
}
