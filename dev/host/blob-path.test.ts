import { describe, expect, it } from 'vitest';
import { parseBlobPath } from './blob-path.js';

describe('blob trigger paths', () => {
  it('splits the container from the name pattern and binds the names', () => {
    const path = parseBlobPath('segments/{segment}/{file}');
    expect(path).toMatchObject({ container: 'segments', prefix: '', names: ['segment', 'file'] });
    expect(path.match('vip/2024-05-01.csv')).toEqual({ segment: 'vip', file: '2024-05-01.csv' });
    // The last name takes the rest of the path, the earlier ones as little as they can.
    expect(path.match('vip/daily/2024-05-01.csv')).toEqual({ segment: 'vip', file: 'daily/2024-05-01.csv' });
    expect(path.match('no-folder.csv')).toBeUndefined();
  });

  it('keeps literal text as a listing prefix and as part of the match', () => {
    const path = parseBlobPath('incoming/exports/{name}.csv');
    expect(path.prefix).toBe('exports/');
    expect(path.match('exports/a.csv')).toEqual({ name: 'a' });
    expect(path.match('exports/a.json')).toBeUndefined();
  });

  it('refuses a container name Azure would refuse', () => {
    expect(() => parseBlobPath('Segments/{file}')).toThrow(/not a valid container name/);
  });
});
