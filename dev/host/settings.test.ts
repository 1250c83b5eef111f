import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLocalSettings, resolveSettingReferences } from './settings.js';

const dirs: string[] = [];
const folder = (files: Record<string, unknown>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('local settings', () => {
  it('prefers local.settings.json over the sample, and the environment over both', () => {
    const dir = folder({
      'local.settings.json': { Values: { A: 'local', B: 'local', N: 5 } },
      'local.settings.sample.json': { Values: { A: 'sample', C: 'sample' } },
    });
    const settings = readLocalSettings(dir, { B: 'env' });
    expect(settings.source).toBe(path.join(dir, 'local.settings.json'));
    expect(settings.values).toEqual({ A: 'local', B: 'env', N: '5' });
  });

  it('falls back to the sample when there is no local file', () => {
    expect(readLocalSettings(folder({ 'local.settings.sample.json': { Values: { C: 'sample' } } }), {}).values).toEqual({ C: 'sample' });
  });

  it('resolves %SETTING% references and names a missing one', () => {
    expect(resolveSettingReferences('%HUB%Tasks', { HUB: 'Segment' })).toBe('SegmentTasks');
    expect(() => resolveSettingReferences('%NOPE%', {}, 'schedule')).toThrow(/schedule '%NOPE%' refers to the app setting NOPE, which is not set/);
  });
});
