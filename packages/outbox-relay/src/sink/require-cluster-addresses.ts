import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';

export interface ClusterAddressRule<C> {
  /** The option that holds the map, as the user wrote it: `clusters`, `rocketmqClusters`. */
  readonly field: string;
  /** Each cluster's address key: `brokers`, `endpoints`. */
  readonly key: keyof C & string;
  readonly isValid: (address: unknown) => boolean;
  /** What the map must hold, what an address must look like: the ends of the error messages. */
  readonly expectedMap: string;
  readonly expectedAddress: string;
}

/** Fails at start unless the map names at least one cluster and each one's address is valid, naming the field and value. */
export function requireClusterAddresses<C>(clusters: Readonly<Record<string, C>> | undefined, rule: ClusterAddressRule<C>): void {
  const names = Object.keys(clusters ?? {});
  if (names.length === 0) throw new InvalidOutboxConfigError(rule.field, clusters, rule.expectedMap);
  for (const name of names) {
    const address = clusters?.[name]?.[rule.key];
    if (!rule.isValid(address)) throw new InvalidOutboxConfigError(`${rule.field}.${name}.${rule.key}`, address, rule.expectedAddress);
  }
}
