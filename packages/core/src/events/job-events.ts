import type { EventEmitter } from 'eventemitter3';
import type { ConnectionState } from '../registry/registry.js';
import type { TriggerSource } from '../job/sharding-context.js';

export interface ItemRunInfo {
  readonly jobName: string;
  readonly item: number;
  readonly taskId: string;
  readonly epoch: number;
  readonly trigger: TriggerSource;
}

/** Typed events of a `JobScheduler`; one line each, documented. */
export interface JobSchedulerEvents {
  /** This instance became (true) or stopped being (false) the job's leader. */
  leadership: (event: { jobName: string; instanceId: string; isLeader: boolean }) => void;
  /** The leader wrote a new assignment; `assignment` maps instance id -> items. */
  resharded: (event: { jobName: string; generation: number; assignment: ReadonlyMap<string, readonly number[]> }) => void;
  /** The items this instance owns changed. */
  itemsAssigned: (event: { jobName: string; items: readonly number[] }) => void;
  itemStarted: (event: ItemRunInfo) => void;
  itemCompleted: (event: ItemRunInfo & { durationMs: number; batches: number; stoppedBy: ItemStopReason }) => void;
  itemFailed: (event: ItemRunInfo & { durationMs: number; error: Error }) => void;
  /** This instance took over an item that another instance was running when it died or left. */
  failoverTaken: (event: { jobName: string; item: number; epoch: number; fromInstance: string | undefined }) => void;
  /** A fire found the item still running; one catch-up run follows right after (if misfire is on). */
  misfire: (event: { jobName: string; item: number }) => void;
  /** The job's config changed in the registry and was applied. */
  configReloaded: (event: { jobName: string }) => void;
  connectionState: (event: { jobName: string; state: ConnectionState }) => void;
  /** A background failure (registry hiccup, corrupt node); the scheduler keeps going. */
  error: (error: Error) => void;
}

/** Why an item run ended without an error. */
export type ItemStopReason = 'drained' | 'budget' | 'not-streaming' | 'fenced' | 'aborted';

/**
 * Where the scheduler's parts (executor, resharding leader) report what happens: `emit` only, so a
 * part can neither subscribe to nor remove another's listeners.
 */
export type JobEventSink = Pick<EventEmitter<JobSchedulerEvents>, 'emit'>;
