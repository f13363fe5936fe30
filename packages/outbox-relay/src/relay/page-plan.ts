import type { ClusterShare } from '../store/outbox-store.js';

/**
 * How many of a cluster's due rows the page may hold in all, given a fair share: the circuit
 * breaker's answer (the share, a probe, or 0 to leave an open circuit's rows unread).
 */
export type Admits = (cluster: string, share: number) => number;

/**
 * `room` rows split evenly among the clusters the breaker admits more of, given what each already
 * has in this page (`read`): a half-open cluster gets no more than its probe in all; clusters it
 * admits nothing more of, or whose share rounds to nothing, are left out.
 */
export function clusterShares(clusters: readonly string[], room: number, read: ReadonlyMap<string, readonly number[]>, admits: Admits): ClusterShare[] {
  const already = (cluster: string): number => read.get(cluster)?.length ?? 0;
  const admitted = clusters.filter((cluster) => admits(cluster, already(cluster) + room) > already(cluster));
  const base = Math.floor(room / Math.max(1, admitted.length));
  const extra = room % Math.max(1, admitted.length);
  return admitted
    .map((cluster, index): ClusterShare => ({
      cluster,
      rows: admits(cluster, already(cluster) + base + (index < extra ? 1 : 0)) - already(cluster),
      skip: read.get(cluster) ?? [],
    }))
    .filter((share) => share.rows > 0);
}

/**
 * The clusters that filled their share in a read: they may have more due rows, so they take the
 * room the others left. A cluster that came back short has nothing more due (its other pending
 * rows wait for a retry).
 */
export function filledShares(shares: readonly ClusterShare[], readNow: ReadonlyMap<string, number>): string[] {
  return shares.filter((share) => readNow.get(share.cluster) === share.rows).map((share) => share.cluster);
}
