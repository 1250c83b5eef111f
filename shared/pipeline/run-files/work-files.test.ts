import { describe, expect, it } from 'vitest';
import { parsedOnDemand, sliceRest } from './work-files.js';

describe('sliceRest', () => {
  it('moves a slice on past what was done, keeping its end', () => {
    expect(sliceRest({ name: 'f', records: 10 }, 4)).toEqual({ name: 'f', records: 6, skip: 4 });
    expect(sliceRest({ name: 'f', records: 6, take: 6 }, 2)).toEqual({ name: 'f', records: 4, skip: 2, take: 4 });
    expect(sliceRest({ name: 'f', records: 5, skip: 3 }, 5)).toEqual({ name: 'f', records: 0, skip: 8 });
  });
});

describe('parsedOnDemand', () => {
  const line = (row: number) => JSON.stringify({ row, email: `p${row}@example.com` });
  const body = Buffer.from([line(1), line(2), '', line(3), line(4), line(5), ''].join('\n'));

  it("holds the slice's records in order, blank lines skipped, from skip and at most take", () => {
    expect(parsedOnDemand(body).slice(0).map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    const slice = parsedOnDemand(body, { skip: 1, take: 3 });
    expect(slice.length).toBe(3);
    expect(slice.slice(0).map((r) => r.row)).toEqual([2, 3, 4]);
    expect(slice.slice(1, 2).map((r) => r.row)).toEqual([3]);
    expect(parsedOnDemand(body, { skip: 4 }).slice(0, 10).map((r) => r.row)).toEqual([5]);
  });

  it('parses only the records asked for', () => {
    // A line that would not parse, outside the batch asked for, is never read.
    const list = parsedOnDemand(Buffer.from([line(1), line(2), '{not json'].join('\n')));
    expect(list.length).toBe(3);
    expect(list.slice(0, 2).map((r) => r.row)).toEqual([1, 2]);
    expect(() => list.slice(2, 3)).toThrow(SyntaxError);
  });
});

describe('a work file line read without parsing it', () => {
  it("reads each line's email as parsing would, and leaves every other line to parsing", () => {
    const lines = [
      '{"row":2,"email":"ann@example.com","firstName":"Ann"}',
      '{"row":13,"email":"zoë.ünïcode@exämple.de"}',
      // Written with escapes (a quote in the local part): parse it.
      '{"row":14,"email":"o\\"neil@example.com"}',
      // No email: a profile matched on its phone.
      '{"row":15,"phone":"+14155550100"}',
      '{"row":16,"email":""}',
      '{"email":"keys@out-of-order.com","row":17}',
      '{"row":18,"email":"cut',
    ];
    const list = parsedOnDemand(Buffer.from(lines.join('\n') + '\n'), { skip: 0 });
    expect(list.length).toBe(lines.length);
    expect(Array.from({ length: list.length }, (_, k) => list.email(k))).toEqual([
      'ann@example.com', 'zoë.ünïcode@exämple.de', undefined, undefined, '', undefined, undefined,
    ]);
    expect(list.text(0)).toBe(lines[0]);
    expect(list.text(1)).toBe(lines[1]);
    // What it read is what parsing gives.
    for (const k of [0, 1, 4]) expect(list.email(k)).toBe((JSON.parse(lines[k]!) as { email: string }).email);
  });

  it('counts positions within the slice', () => {
    const body = Buffer.from(['{"row":1,"email":"a@x.io"}', '{"row":2,"email":"b@x.io"}', '{"row":3,"email":"c@x.io"}'].join('\n'));
    const list = parsedOnDemand(body, { skip: 1, take: 1 });
    expect(list.length).toBe(1);
    expect(list.email(0)).toBe('b@x.io');
    expect(list.text(0)).toBe('{"row":2,"email":"b@x.io"}');
  });
});
