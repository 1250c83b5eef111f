import { describe, expect, it } from 'vitest';
import { applyLimits, earlySendAllowance, earlySendRule, planUploads } from './limits.js';

const adroll = { minPerSegment: 100, maxPerSegment: 250_000, batchSize: 10_000, recordsPerWorkFile: 50_000 };
const msads = { maxPerSegment: 500_000, batchSize: 1_000, recordsPerWorkFile: 10_000 };
const autopilot = { maxTotalPerExport: 100_000, batchSize: 100, recordsPerWorkFile: 2_000 };

describe('applyLimits', () => {
  it.each([
    ['AdRoll below 100', adroll, [99], false, [{ action: 'skip', reason: 'segment-too-small' }]],
    ['AdRoll at 100', adroll, [100], false, [{ action: 'send', send: 100, overLimit: 0 }]],
    ['AdRoll at 250,000', adroll, [250_000], false, [{ action: 'send', send: 250_000 }]],
    ['AdRoll over 250,000', adroll, [250_001], false, [{ action: 'fail', reason: 'segment-too-large' }]],
    ['AdRoll over 250,000, truncated', adroll, [250_001], true, [{ action: 'send', send: 250_000, overLimit: 1, reason: 'over-limit' }]],
    ['Microsoft over 500,000', msads, [500_001], false, [{ action: 'fail', reason: 'segment-too-large' }]],
    ['Microsoft at 1', msads, [1], false, [{ action: 'send', send: 1 }]],
    ['empty segment', msads, [0], false, [{ action: 'skip', reason: 'segment-empty' }]],
    [
      'Autopilot total across segments',
      autopilot,
      [60_000, 50_000, 40_000],
      false,
      [{ action: 'send', send: 60_000 }, { action: 'fail', reason: 'segment-too-large' }, { action: 'send', send: 40_000 }],
    ],
    [
      'Autopilot total, truncated',
      autopilot,
      [60_000, 50_000, 1],
      true,
      [{ action: 'send', send: 60_000 }, { action: 'send', send: 40_000, overLimit: 10_000 }, { action: 'fail', reason: 'segment-too-large' }],
    ],
  ] as const)('%s', (_name, limits, counts, truncate, expected) => {
    const decisions = applyLimits(limits, [...counts], truncate);
    expect(decisions).toHaveLength(expected.length);
    decisions.forEach((decision, i) => expect(decision).toMatchObject(expected[i]!));
  });

  it('names the limit in the failure detail', () => {
    const [decision] = applyLimits(adroll, [300_000], false);
    expect(decision).toMatchObject({ detail: expect.stringContaining('at most 250000 per segment') });
  });
});

describe('planUploads', () => {
  const files = [
    { name: 'a', records: 10 },
    { name: 'b', records: 10 },
    { name: 'c', records: 5 },
  ];

  it('uploads everything when nothing is over the limit', () => {
    expect(planUploads(files, 25)).toEqual({ upload: files, overLimit: [] });
  });

  it('cuts inside a file', () => {
    expect(planUploads(files, 14)).toEqual({
      upload: [{ name: 'a', records: 10 }, { name: 'b', records: 4, take: 4 }],
      overLimit: [{ name: 'b', records: 6, skip: 4 }, { name: 'c', records: 5 }],
    });
  });

  it('cuts at a file boundary', () => {
    expect(planUploads(files, 10)).toEqual({
      upload: [{ name: 'a', records: 10 }],
      overLimit: [{ name: 'b', records: 10 }, { name: 'c', records: 5 }],
    });
  });
});

describe('sending before the count is known', () => {
  const sent = (limits: Parameters<typeof applyLimits>[0], valid: number, bound: number, truncate: boolean, index = 0) => {
    const rule = earlySendRule(limits, index, truncate);
    return rule ? Math.min(valid, earlySendAllowance(rule, bound, valid)) : 0;
  };

  it.each([
    ['AdRoll below its minimum: nothing', adroll, 99, 99, false, 0],
    ['AdRoll at its minimum', adroll, 100, 120, false, 100],
    ['Microsoft: a bound within 500,000 sends', msads, 475_000, 500_000, false, 475_000],
    ['Microsoft: a bound over 500,000 sends nothing, even when the count would fit', msads, 480_000, 500_001, false, 0],
    ['Microsoft truncated: the first 500,000 whatever the bound', msads, 600_000, 700_000, true, 500_000],
    ['Autopilot, first segment within the total', autopilot, 90_000, 100_000, false, 90_000],
  ] as const)('%s', (_name, limits, valid, bound, truncate, expected) => {
    expect(sent(limits, valid, bound, truncate)).toBe(expected);
  });

  it('never lets a later segment of an export-wide total send early', () => {
    expect(earlySendRule(autopilot, 1, false)).toBeUndefined();
    expect(earlySendRule(autopilot, 1, true)).toBeUndefined();
    expect(earlySendRule(msads, 3, false)).toEqual({ cap: 500_000, min: 1, truncate: false });
  });

  it('sends early no more, and in no other order, than the limits on the final count', () => {
    // Every combination of limits, counts and bounds (bound >= valid): whatever is sent
    // early is a prefix of what applyLimits sends, and nothing for a skipped or failed segment.
    for (const limits of [adroll, msads, autopilot]) {
      for (const truncate of [false, true]) {
        for (const valid of [0, 1, 99, 100, 101, 99_999, 100_000, 100_001, 250_000, 250_001, 500_000, 500_001]) {
          for (const extra of [0, 1, 5_000]) {
            const [decision] = applyLimits(limits, [valid], truncate);
            const early = sent(limits, valid, valid + extra, truncate);
            const allowed = decision!.action === 'send' ? decision!.send : 0;
            expect(early, `${JSON.stringify(limits)} ${valid}+${extra} ${truncate}`).toBeLessThanOrEqual(allowed);
          }
        }
      }
    }
  });
});
