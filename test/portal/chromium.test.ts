import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { chooseChromium, packagedChromium, type ChromiumLookup } from './chromium.js';

const PACKAGED = '/tmp/packaged-chromium';

function lookup(env: Record<string, string>, present: string[]): ChromiumLookup & { packaged: ReturnType<typeof vi.fn> } {
  return { env, exists: (p) => present.includes(p), packaged: vi.fn(async () => PACKAGED) };
}

describe('chooseChromium', () => {
  it('takes CHROMIUM_PATH over everything else', async () => {
    const l = lookup({ CHROMIUM_PATH: '/opt/chrome/chrome' }, ['/opt/chrome/chrome', '/usr/bin/chromium']);
    expect(await chooseChromium(l)).toEqual({ source: 'CHROMIUM_PATH', executablePath: '/opt/chrome/chrome' });
    expect(l.packaged).not.toHaveBeenCalled();
  });

  it('refuses a CHROMIUM_PATH that does not exist instead of quietly using another browser', async () => {
    const l = lookup({ CHROMIUM_PATH: '/opt/missing' }, ['/usr/bin/chromium']);
    await expect(chooseChromium(l)).rejects.toThrow(/CHROMIUM_PATH is \/opt\/missing/);
    expect(l.packaged).not.toHaveBeenCalled();
  });

  it("uses Debian's Chromium when it is installed, without unpacking the packaged one", async () => {
    const l = lookup({}, ['/usr/bin/chromium']);
    expect(await chooseChromium(l)).toEqual({ source: 'system', executablePath: '/usr/bin/chromium' });
    expect(l.packaged).not.toHaveBeenCalled();
  });

  it('finds chromium-browser too', async () => {
    const l = lookup({ CHROMIUM_PATH: '' }, ['/usr/bin/chromium-browser']);
    expect(await chooseChromium(l)).toEqual({ source: 'system', executablePath: '/usr/bin/chromium-browser' });
  });

  it('falls back to the packaged Chromium when none is installed', async () => {
    const l = lookup({}, []);
    expect(await chooseChromium(l)).toEqual({ source: 'package', executablePath: PACKAGED });
    expect(l.packaged).toHaveBeenCalledOnce();
  });
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the packaged Chromium', () => {
  it('unpacks from the installed package and runs on this machine', async () => {
    const executablePath = await packagedChromium();
    const { stdout } = await promisify(execFile)(executablePath, ['--version'], { timeout: 30_000 });
    expect(stdout).toMatch(/^Chromium \d+\./);
  }, 60_000);
});
