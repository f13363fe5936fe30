/** What business code hands to the outbox inside its transaction. */
export interface OutboxMessage {
  /** Kafka message key and ordering unit (the seeds' account number). */
  key: string;
  topic: string;
  /** Name of the Kafka cluster in the relay's cluster map. */
  cluster: string;
  /** Bytes as they are, a string as UTF-8, anything else as JSON. */
  payload: Buffer | string | object;
  headers?: Readonly<Record<string, string>>;
}
