import { Producer, type ILogger } from 'rocketmq-client-nodejs';

/** Topic the testkit creates in each cluster it starts, to tell when the cluster stores messages. */
export const PROBE_TOPIC = 'shardflow-testkit-probe';

const SILENT: ILogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** A producer that can ask the proxy for a topic's route without sending anything to the topic. */
class RouteProbe extends Producer {
  async routed(topic: string): Promise<boolean> {
    await this.getRouteData(topic);
    return true;
  }
}

async function withProbe<T>(endpoints: string, use: (probe: RouteProbe) => Promise<T>): Promise<T> {
  const probe = new RouteProbe({ endpoints, namespace: '', sslEnabled: false, requestTimeout: 3_000, maxAttempts: 1, logger: SILENT });
  await probe.startup();
  try {
    return await use(probe);
  } finally {
    await probe.shutdown().catch(() => undefined);
  }
}

/** Whether the proxy at `endpoints` stores a message (a send was acknowledged), not just listens. */
export function rocketMqSendProbe(endpoints: string): Promise<boolean> {
  return withProbe(endpoints, async (probe) => {
    await probe.send({ topic: PROBE_TOPIC, body: Buffer.from(String(Date.now())) });
    return true;
  });
}

/** Whether the proxy at `endpoints` knows a route for `topic` (throws while it does not). */
export function rocketMqTopicRouted(endpoints: string, topic: string): Promise<boolean> {
  return withProbe(endpoints, (probe) => probe.routed(topic));
}
