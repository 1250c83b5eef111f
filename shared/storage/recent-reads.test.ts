import { describe, expect, it } from 'vitest';
import { RecentReads } from './recent-reads.js';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RecentReads', () => {
  it('hands out a read younger than its age limit, and reads again after it', async () => {
    const time = clock();
    const reads = new RecentReads<string>(5_000, time.now);
    let loads = 0;
    const load = async () => `value ${++loads}`;
    expect(await reads.read('a', load)).toBe('value 1');
    time.advance(4_999);
    expect(await reads.read('a', load)).toBe('value 1');
    time.advance(1);
    expect(await reads.read('a', load)).toBe('value 2');
    expect(await reads.read('b', load)).toBe('value 3');
  });

  it('shares a read under way, and never keeps a failed one', async () => {
    const reads = new RecentReads<number>(5_000, clock().now);
    let loads = 0;
    let fail = true;
    const load = () => {
      loads++;
      return fail ? Promise.reject(new Error('storage down')) : Promise.resolve(loads);
    };
    const first = reads.read('a', load);
    const second = reads.read('a', load);
    await expect(first).rejects.toThrow('storage down');
    await expect(second).rejects.toThrow('storage down');
    expect(loads).toBe(1);
    fail = false;
    expect(await reads.read('a', load)).toBe(2);
  });

  it('reads again once the key is forgotten (a write), and keeps at most its capacity', async () => {
    const reads = new RecentReads<number>(5_000, clock().now, 2);
    let loads = 0;
    const load = async () => ++loads;
    await reads.read('a', load);
    reads.forget('a');
    expect(await reads.read('a', load)).toBe(2);
    await reads.read('b', load);
    await reads.read('c', load);
    // 'a' was the oldest: gone.
    expect(await reads.read('a', load)).toBe(5);
    expect(await reads.read('c', load)).toBe(4);
  });
});
