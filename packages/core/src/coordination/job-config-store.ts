import type { Registry } from '../registry/registry.js';
import type { JobPaths } from './job-paths.js';
import { parseStoredJobConfig, toStoredJobConfig } from '../config/stored-job-config.js';
import type { ResolvedJobConfig } from '../config/validate-job-config.js';

/**
 * ElasticJob's `overwrite` rule: the local config is written when the registry has none or when
 * `overwrite` is set; otherwise the registry's config wins, so an operator's live change survives
 * a rolling restart of processes that still carry the old config.
 */
export async function publishJobConfig(registry: Registry, paths: JobPaths, local: ResolvedJobConfig): Promise<ResolvedJobConfig> {
  const stored = await registry.get(paths.config);
  if (!stored || local.overwrite) {
    await registry.put(paths.config, toStoredJobConfig(local));
    return local;
  }
  return parseStoredJobConfig(stored.data);
}
