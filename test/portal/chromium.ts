import { existsSync } from 'node:fs';

/**
 * Which Chromium the browser tests drive, in this order:
 * 1. `CHROMIUM_PATH`, when set: a path someone chose on purpose, so a wrong one is an error,
 *    never silently replaced by another browser;
 * 2. Debian's Chromium (`apt-get install chromium`), when installed;
 * 3. the Chromium that ships inside the `@sparticuz/chromium` dev dependency (brotli-packed in
 *    the package, unpacked to the temp folder on first use), so `npm install && npm test`
 *    passes on any Linux x64 machine with nothing installed by hand.
 * No browser is ever downloaded, at install or at run time.
 */
export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'package';

export interface ChromiumChoice {
  source: ChromiumSource;
  executablePath: string;
}

export const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'] as const;

export interface ChromiumLookup {
  env: Record<string, string | undefined>;
  exists: (path: string) => boolean;
  /** Unpacks the packaged Chromium (once) and answers its path; only called when nothing else is there. */
  packaged: () => Promise<string>;
}

/** Unpacks `@sparticuz/chromium`'s binary into the temp folder (kept there for later runs). */
export async function packagedChromium(): Promise<string> {
  // Loaded only when needed: the package inspects its environment as it loads.
  const { default: chromium } = await import('@sparticuz/chromium');
  return chromium.executablePath();
}

const DEFAULT_LOOKUP: ChromiumLookup = { env: process.env, exists: existsSync, packaged: packagedChromium };

export async function chooseChromium(lookup: ChromiumLookup = DEFAULT_LOOKUP): Promise<ChromiumChoice> {
  const chosen = lookup.env.CHROMIUM_PATH;
  if (chosen) {
    if (!lookup.exists(chosen)) throw new Error(`CHROMIUM_PATH is ${chosen}, which does not exist: unset it to use Debian's or the packaged Chromium`);
    return { source: 'CHROMIUM_PATH', executablePath: chosen };
  }
  const system = SYSTEM_CHROMIUM_PATHS.find((p) => lookup.exists(p));
  if (system) return { source: 'system', executablePath: system };
  return { source: 'package', executablePath: await lookup.packaged() };
}
