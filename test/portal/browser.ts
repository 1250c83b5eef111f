import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { chooseChromium } from './chromium.js';

/** The Chromium `chooseChromium` picks (CHROMIUM_PATH, Debian's, or the packaged one), driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  const { source, executablePath } = await chooseChromium();
  console.info(`portal tests: Chromium from ${source}, ${executablePath}`);
  // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start. The
  // packaged Chromium's own flag list is for AWS Lambda (one process, web security off):
  // not used, so every Chromium runs the portal the same way.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * Fluent UI's focus manager (Tabster) keeps empty `<i data-tabster-dummy>` elements at the
 * edges of the page once a dialog has trapped focus: tabbable but aria-hidden on purpose, to
 * hand focus on the moment they get it (microsoft/tabster#288). axe reports them under
 * aria-hidden-focus, as a known false positive that Accessibility Insights also drops
 * (microsoft/accessibility-insights-web#7605); only those nodes of that rule are ignored.
 */
function isTabsterDummy(html: string): boolean {
  return /^<i\b[^>]*\bdata-tabster-dummy=/.test(html);
}

/** axe-core on what the page shows now: no serious or critical violation (WCAG 2.1 A/AA rules and best practices). */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Colours measured halfway through a fade-in are not the page's colours.
  // A string: it runs in the page, and this project is compiled without the DOM library.
  await page.waitForFunction("document.getAnimations().every((a) => a.playState !== 'running')");
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !(v.id === 'aria-hidden-focus' && isTabsterDummy(n.html))) }))
    .filter((v) => v.nodes.length > 0 && (v.impact === 'serious' || v.impact === 'critical'));
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe on ${what}`).toEqual([]);
}
