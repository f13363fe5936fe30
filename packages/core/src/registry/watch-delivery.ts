/**
 * The delivery rule every registry's watches share: deliver only while subscribed, skip a value
 * equal to the one delivered last (a re-armed watch re-reads an unchanged node), and never let a
 * listener's exception escape into the registry.
 */
export class WatchDelivery<T> {
  private active = true;
  private lastDelivered: string | undefined;

  constructor(
    private readonly listener: (value: T) => void,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  deliver(value: T): void {
    if (!this.active) return;
    const key = JSON.stringify(value ?? null);
    if (key === this.lastDelivered) return;
    this.lastDelivered = key;
    try {
      this.listener(value);
    } catch (error) {
      this.onListenerError(error);
    }
  }

  /** The next value is delivered even if unchanged: after a reconnect, listeners hear again. */
  forgetLast(): void {
    this.lastDelivered = undefined;
  }

  close(): void {
    this.active = false;
  }
}
