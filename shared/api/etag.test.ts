import { describe, expect, it } from 'vitest';
import { assertIfMatch, etagMatches, parseIfMatch } from './etag.js';

const tableEtag = `W/"datetime'2025-01-02T03%3A04%3A05.6789Z'"`;

describe('If-Match', () => {
  it('treats absent, empty and * as unconditional', () => {
    for (const header of [null, undefined, '', ' ', '*']) expect(parseIfMatch(header)).toBeUndefined();
    expect(etagMatches(tableEtag, undefined)).toBe(true);
  });

  it('parses one or several tags, commas inside quotes included', () => {
    expect(parseIfMatch(tableEtag)).toEqual([tableEtag]);
    expect(parseIfMatch(`"a,b", W/"c"`)).toEqual(['"a,b"', 'W/"c"']);
  });

  it('compares weakly and answers 412 for a stale tag', () => {
    expect(etagMatches(tableEtag, parseIfMatch(tableEtag.slice(2)))).toBe(true);
    expect(etagMatches(tableEtag, parseIfMatch('"other", ' + tableEtag))).toBe(true);
    expect(() => assertIfMatch('export', 'e1', tableEtag, parseIfMatch('"stale"'))).toThrow(expect.objectContaining({ status: 412 }));
    expect(() => assertIfMatch('export', 'e1', undefined, parseIfMatch('"any"'))).toThrow(expect.objectContaining({ status: 412 }));
    expect(() => assertIfMatch('export', 'e1', tableEtag, undefined)).not.toThrow();
  });
});
