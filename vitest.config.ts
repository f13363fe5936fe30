import { configDefaults, defineConfig } from 'vitest/config';
import { platformaticRunsOn } from './packages/outbox-relay/src/sink/platformatic-runs-on.js';

// `*.node24.test.ts` files test @platformatic/kafka, which needs Node.js >= 22.22 or >= 24.6: on an
// older Node.js they are not collected (CI runs them on its Node 24 and 26 legs).
const newerNodeOnly = platformaticRunsOn(process.versions.node) ? [] : ['**/*.node24.test.ts'];

const sourceCondition = { resolve: { conditions: ['@shardflow/source'] }, ssr: { resolve: { conditions: ['@shardflow/source'] } } };

export default defineConfig({
  test: {
    reporters: ['default'],
    // Integration files share the real services and some stop or partition them: one file at a time.
    fileParallelism: false,
    poolOptions: { threads: { isolate: false } },
    projects: [
      {
        ...sourceCondition,
        test: {
          name: 'unit',
          include: ['packages/*/test/unit/**/*.test.ts', 'examples/*/test/unit/**/*.test.ts', 'docs/**/*.test.ts', 'chaos/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...newerNodeOnly],
          environment: 'node',
          // Unit files touch no service and restore what they change (timers, env, listeners), so
          // they share one worker and one module graph: loading the sources and their clients
          // (kafkajs, gRPC, mysql2, pg) once instead of once per file is most of the run's cost.
          // They alone run on threads, whose pool (set above) does not isolate; integration files keep
          // a fresh process each.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        ...sourceCondition,
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'examples/*/test/unit/**', ...newerNodeOnly],
          environment: 'node',
          globalSetup: ['packages/testkit/src/vitest/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
