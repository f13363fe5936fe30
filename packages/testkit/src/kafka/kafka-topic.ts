import { Kafka, logLevel } from 'kafkajs';

/** Creates `topic` with `partitions` partitions on the cluster at `bootstrap`, once its leaders are elected. */
export async function createKafkaTopic(bootstrap: string, topic: string, partitions: number): Promise<string> {
  const admin = new Kafka({ clientId: 'shardflow-testkit-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}
