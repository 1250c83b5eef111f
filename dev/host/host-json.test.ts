import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimeSpan, readHostJson } from './host-json.js';

describe('functionTimeout', () => {
  it('reads host.json time spans as the host does', () => {
    expect(parseTimeSpan('00:30:00')).toBe(30 * 60_000);
    expect(parseTimeSpan('1.02:03:04.5')).toBe(((24 + 2) * 60 + 3) * 60_000 + 4_500);
    expect(parseTimeSpan('-1')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseTimeSpan('30 minutes')).toThrow(/not a time span/);
  });

  it('takes the repository host.json value, and the host default when none is set', () => {
    expect(readHostJson(path.resolve(__dirname, '../..'), { DURABLE_TASK_HUB: 'hub' }).functionTimeoutMs).toBe(30 * 60_000);
    const bare = mkdtempSync(path.join(tmpdir(), 'host-json-'));
    writeFileSync(path.join(bare, 'host.json'), JSON.stringify({ version: '2.0' }));
    expect(readHostJson(bare).functionTimeoutMs).toBe(30 * 60_000);
  });
});
