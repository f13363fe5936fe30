/**
 * The adaptive poll: reads a number that changes when rows arrive (the sum of the tables' newest
 * ids) and signals when it changed. While rows keep arriving it reads every `minMs`; each read
 * that finds nothing new doubles the wait, up to `maxMs`, where an idle relay stays: one
 * primary-key dive per table every `maxMs`. A failed read waits `maxMs` and is reported.
 *
 * Ids are taken at INSERT, rows become visible at COMMIT: a row whose transaction commits after a
 * later row's may sit below a newest id already seen. While rows keep arriving, the next new row
 * wakes the relay, which fetches every due row; when they stop, the first read that finds nothing
 * new signals once more, for the rows committed out of order in between. Only a row whose
 * transaction stays open longer than that (two reads, at least 2 x `minMs`) past the last new row
 * waits for the cron.
 *
 * States: stopped -> baseline (the first read only records the number) -> polling -> stopped.
 */
export class NewRowPoller {
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by start and stop: a read still in flight from an earlier start finds it changed and ends its loop. */
  private generation = 0;
  private running = false;
  private last: number | undefined;
  /** Rows arrived since the relay was last signalled for a read that found nothing new. */
  private unsettled = false;
  private waitMs: number;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly onNewRows: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.waitMs = maxMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    this.last = undefined;
    this.unsettled = false;
    this.waitMs = this.maxMs;
    void this.poll(this.generation);
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(generation: number): Promise<void> {
    try {
      const current = await this.read();
      if (generation !== this.generation) return;
      if (this.last !== undefined && current !== this.last) {
        this.waitMs = this.minMs;
        this.unsettled = true;
        this.onNewRows();
      } else {
        this.waitMs = Math.min(this.maxMs, this.waitMs * 2);
        if (this.unsettled) {
          this.unsettled = false;
          this.onNewRows();
        }
      }
      this.last = current;
    } catch (error) {
      if (generation !== this.generation) return;
      this.waitMs = this.maxMs;
      this.onError(error);
    }
    this.timer = setTimeout(() => void this.poll(generation), this.waitMs);
  }
}
