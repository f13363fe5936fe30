/** Data of an item's run lock node: who runs it, under which epoch, since when. */
export interface RunLock {
  readonly instance: string;
  readonly epoch: number;
  readonly startedAt: number;
}

export function serializeRunLock(lock: RunLock): string {
  return JSON.stringify(lock);
}

export function parseRunLock(json: string): RunLock {
  return JSON.parse(json) as RunLock;
}
