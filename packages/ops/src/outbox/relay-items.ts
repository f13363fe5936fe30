import type { ItemCoordinates } from '@shardflow/outbox-relay';
import type { JobDetails } from '../jobs/job-details.js';

/** The relay job's items as its partitioning sees them (count, job and item parameters). */
export function relayItems(job: JobDetails): ItemCoordinates[] {
  return job.shards.map((shard) => ({
    item: shard.item,
    total: job.config.shardingTotalCount,
    jobParameter: job.config.jobParameter ?? '',
    shardingParameter: shard.parameter,
  }));
}
