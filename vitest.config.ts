import { defineConfig } from 'vitest/config';

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
          exclude: ['examples/*/test/unit/**'],
          environment: 'node',
          globalSetup: ['packages/testkit/src/vitest/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
