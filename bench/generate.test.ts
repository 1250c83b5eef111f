import { describe, expect, it } from 'vitest';
import { text } from 'node:stream/consumers';
import { generateSegment } from './generate.js';

describe('generateSegment', () => {
  it('produces the requested rows with exact expected counts', async () => {
    const { stream, expected } = generateSegment({ rows: 5_000, seed: 7 });
    const lines = (await text(stream)).trimEnd().split('\n');
    expect(lines[0]).toBe('customer_id,email_address,first_name,last_name,country,lifetime_value');
    expect(lines.length - 1).toBe(5_000);
    expect(expected.read).toBe(5_000);
    expect(expected.valid + expected.invalid + expected.duplicate).toBe(5_000);
    expect(expected.invalid).toBeGreaterThan(50);
    expect(expected.duplicate).toBeGreaterThan(50);
    const emails = lines.slice(1).map((l) => l.split(',')[1]!.replaceAll('"', '').trim().toLowerCase());
    const valid = emails.filter((e) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e));
    expect(new Set(valid).size).toBe(expected.valid);
  });

  it('is deterministic for a seed', async () => {
    const a = await text(generateSegment({ rows: 300, seed: 1 }).stream);
    const b = await text(generateSegment({ rows: 300, seed: 1 }).stream);
    const c = await text(generateSegment({ rows: 300, seed: 2 }).stream);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('writes JSON Lines', async () => {
    const out = await text(generateSegment({ rows: 10, format: 'jsonl' }).stream);
    const rows = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { email_address: string });
    expect(rows).toHaveLength(10);
    expect(typeof rows[0]!.email_address).toBe('string');
  });
});
