/** One row of JOB_EXECUTION_LOG: one run of one item. */
export interface ExecutionRow {
  readonly id: string;
  readonly job_name: string;
  readonly task_id: string;
  readonly hostname: string;
  readonly ip: string;
  readonly sharding_item: number;
  /** NORMAL_TRIGGER, MISFIRE or FAILOVER, as ElasticJob writes it. */
  readonly execution_source: string;
  readonly failure_cause: string | null;
  readonly is_success: boolean;
  readonly start_time: Date;
  readonly complete_time: Date | null;
}

/** One row of JOB_STATUS_TRACE_LOG: a state the task went through. */
export interface StatusTraceRow {
  readonly id: string;
  readonly job_name: string;
  readonly original_task_id: string;
  readonly task_id: string;
  readonly slave_id: string;
  readonly source: string;
  /** READY, or FAILOVER for a run that took over a failed instance's item. */
  readonly execution_type: string;
  readonly sharding_item: string;
  /** TASK_RUNNING, TASK_FINISHED, TASK_ERROR, or TASK_KILLED (the run outlived `itemTimeoutMs`). */
  readonly state: string;
  readonly message: string | null;
  readonly creation_time: Date;
}

export const EXECUTION_COLUMNS: ReadonlyArray<keyof ExecutionRow> = [
  'id', 'job_name', 'task_id', 'hostname', 'ip', 'sharding_item', 'execution_source', 'failure_cause', 'is_success', 'start_time', 'complete_time',
];

export const STATUS_TRACE_COLUMNS: ReadonlyArray<keyof StatusTraceRow> = [
  'id', 'job_name', 'original_task_id', 'task_id', 'slave_id', 'source', 'execution_type', 'sharding_item', 'state', 'message', 'creation_time',
];
