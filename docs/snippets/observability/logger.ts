import mysql from 'mysql2/promise';
import { createStderrLogger, JobScheduler, ZookeeperRegistry, type Logger } from '@shardflow/core';
import { createOutbox } from '@shardflow/outbox-relay';

// Any pino-compatible logger: pino() itself, or a child of one. Without one, use:
const logger: Logger = createStderrLogger({ level: 'warn', json: true });

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } }, logger });
const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
const relay = new JobScheduler(registry, outbox.relayJob, {
  jobName: 'outbox-relay', cron: '0/5 * * * * ?', shardingTotalCount: 4, streamingProcess: true,
}, { logger });
// snippet-end
void relay;
