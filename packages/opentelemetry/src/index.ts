export { instrumentShardflow, type ShardflowTracing, type ShardflowTracingOptions } from './shardflow-tracing.js';
export { messageContext, type MessageHeaders } from './message-context.js';
