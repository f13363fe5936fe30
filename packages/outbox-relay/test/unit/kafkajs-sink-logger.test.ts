import { describe, expect, it } from 'vitest';
import type { Logger } from '@shardflow/core';
import { KafkajsSink } from '../../src/index.js';

describe('KafkajsSink logger', () => {
  it("routes kafkajs's own log lines to the given logger at their level, with kafkajs's namespace and the cluster", async () => {
    const lines: Array<{ level: string; fields: Record<string, unknown>; message: string | undefined }> = [];
    const at = (level: string) => (fields: Record<string, unknown>, message?: string) => {
      lines.push({ level, fields, message });
    };
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    // Nothing listens on port 1: kafkajs fails to connect and says so.
    const sink = new KafkajsSink({ clusters: { nowhere: { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500 } }, logger });
    try {
      const outcomes = await sink.send('nowhere', [{ id: 1, key: 'k', topic: 't', value: Buffer.from('v'), headers: {} }]);
      expect(outcomes[0]?.ok).toBe(false);
    } finally {
      await sink.close();
    }
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.fields).toMatchObject({ component: 'kafkajs', cluster: 'nowhere' });
    expect(typeof errors[0]?.fields['namespace']).toBe('string');
    expect(errors[0]?.message).toBeTruthy();
  });
});
