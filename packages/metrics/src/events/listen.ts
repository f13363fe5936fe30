/** An emitter with a typed event map, as the scheduler, the registry and the outbox's parts are. */
export interface Subscribable<Events> {
  on<E extends keyof Events>(event: E, handler: Events[E]): unknown;
  off<E extends keyof Events>(event: E, handler: Events[E]): unknown;
}

/** Adds each handler to its event of `emitter`; the returned function removes every one of them. */
export function listen<Events>(emitter: Subscribable<Events>, handlers: NoInfer<{ readonly [E in keyof Events]?: Events[E] }>): () => void {
  const pairs = Object.entries(handlers) as Array<[keyof Events, Events[keyof Events]]>;
  for (const [event, handler] of pairs) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of pairs) emitter.off(event, handler);
  };
}
