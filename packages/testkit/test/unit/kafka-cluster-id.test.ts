import { describe, expect, it } from 'vitest';
import { newKafkaClusterId } from '../../src/kafka/kafka-cluster.js';

describe('newKafkaClusterId', () => {
  it('never starts with a character the storage tool would read as an option', () => {
    // 0xff and 0xf8 as first bytes would encode to '_' and '-' without the mask.
    for (const first of [0xff, 0xf8, 0xfb, 0x80]) {
      const id = newKafkaClusterId(Buffer.from([first, ...new Array<number>(15).fill(7)]));
      expect(id).toMatch(/^[A-Za-f][A-Za-z0-9_-]{21}$/);
    }
  });

  it('keeps 127 random bits: ids differ', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newKafkaClusterId()));
    expect(ids.size).toBe(1000);
  });
});
