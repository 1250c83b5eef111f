import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../dev/portal.js';
import { devConnections, devCredentials } from '../../dev/simulators/index.js';
import { startApp, type DestinationType, type RunningApp } from '../e2e/app.js';
import { expectAccessible, launchChromium } from './browser.js';

/**
 * The portal in headless Chromium against the whole app as `npm start` runs it (Azurite,
 * simulators, local host on free ports, the built portal served at /api/portal/): an admin
 * adds a connection of every destination, tests it, creates and runs an export and follows
 * it to the end; a contributor sees only what is open to contributors. axe checks each page.
 */

const SEGMENT = 'portal-buyers';
/** `PORTAL_SCREENSHOTS=docs/portal npx vitest run test/portal` refreshes the README's screenshots. */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;
const VALID = 150;
let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let portalUrl: string;
/** Uncaught errors in the page: any is a failure of the test it happened in. */
const pageErrors: string[] = [];

function segmentCsv(): string {
  const rows = ['email,first_name,last_name'];
  for (let i = 0; i < VALID; i++) rows.push(`buyer${i}@example.com,Ann${i},Lee${i}`);
  rows.push('not-an-email,Bad,Row', 'buyer1@example.com,Dup,Row');
  return `${rows.join('\n')}\n`;
}

async function waitForSegment(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { body } = await app.api<{ items: { name: string }[] }>('GET', '/segments');
    if (body.items.some((s) => s.name === SEGMENT)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`segment ${SEGMENT} did not reach the catalog`);
}

beforeAll(async () => {
  await buildPortal();
  app = await startApp();
  await app.dropFile(`${SEGMENT}/2026-12-01.csv`, segmentCsv());
  await waitForSegment();
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  portalUrl = `${app.url}/api/portal/`;
}, 120_000);

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const connectionName = (type: DestinationType) => `Portal ${type}`;

async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function addConnection(type: DestinationType, destinationLabel: string, openToContributors: boolean): Promise<void> {
  await page.goto(`${portalUrl}#/connections/new`);
  await page.getByRole('heading', { level: 1, name: 'Add connection' }).waitFor();
  await page.getByRole('combobox', { name: /^Destination/ }).selectOption({ label: destinationLabel });
  await page.getByRole('textbox', { name: /^Display name/ }).fill(connectionName(type));
  const credentials = devConnections[type].credentials as Record<string, string>;
  // Every credential the simulator's connection needs, by the label the form gives it (`customerId`: "Customer id").
  for (const [field, value] of Object.entries(credentials)) {
    const words = field.replace(/([A-Z])/g, ' $1').toLowerCase();
    await page.getByLabel(new RegExp(`^${words[0]!.toUpperCase()}${words.slice(1)}`)).fill(value);
  }
  if (openToContributors) await page.getByRole('radio', { name: 'Administrators and contributors' }).check();
  await expect.poll(() => page.getByText('Data privacy:').count()).toBe(1);

  // Without consent the API refuses, and its message appears beside the checkbox.
  await page.getByRole('button', { name: 'Save connection' }).click();
  const consent = page.getByRole('checkbox', { name: /I agree/ });
  const consentField = page.locator('.fui-Field', { has: consent });
  await expect.poll(() => consentField.textContent()).toContain('must be true');
  await expectAccessible(page, `Add connection (${type}, consent error shown)`);
  if (type === 'microsoft-advertising') await screenshot('add-connection');

  await consent.check();
  await page.getByRole('button', { name: 'Save connection' }).click();
  await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
  const row = page.getByRole('row', { name: new RegExp(connectionName(type)) });
  await expect.poll(() => row.textContent()).toContain('set');

  await page.getByRole('button', { name: `Test ${connectionName(type)}` }).click();
  await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('passed');
}

describe('the portal', () => {
  it('an admin adds a connection of each destination, tests them, creates an export, runs it and downloads the rejected rows', async () => {
    await page.goto(portalUrl);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByRole('link', { name: 'Add an export' }).waitFor();
    await expectAccessible(page, 'Home (no exports)');

    const { body: catalog } = await app.api<{ items: { type: DestinationType; displayName: string }[] }>('GET', '/destinations');
    expect(catalog.items.map((d) => d.type).sort()).toEqual(['adroll', 'autopilot', 'google-ads', 'linkedin', 'meta', 'microsoft-advertising', 'ortto', 'rollworks']);
    for (const destination of catalog.items) await addConnection(destination.type, destination.displayName, destination.type === 'autopilot');
    await expectAccessible(page, 'Connections');
    await screenshot('connections');

    // Credentials are write-only: the edit form says they are set and never shows them.
    await page.getByRole('link', { name: `Edit ${connectionName('rollworks')}` }).click();
    await page.getByRole('heading', { level: 1, name: `Edit connection: ${connectionName('rollworks')}` }).waitFor();
    const token = page.getByRole('textbox', { name: /^Personal access token/ });
    expect(await token.inputValue()).toBe('');
    expect(await page.locator('.fui-Field', { has: token }).textContent()).toMatch(/set \(.*\): leave empty to keep/);
    expect(await page.content()).not.toContain(devConnections.rollworks.credentials.refreshToken!);
    await expectAccessible(page, 'Edit connection');
    await token.fill(devCredentials.rollworks.personalAccessToken);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.getByRole('button', { name: `Test ${connectionName('rollworks')}` }).click();
    const rollworks = page.getByRole('row', { name: new RegExp(connectionName('rollworks')) });
    await expect.poll(() => rollworks.textContent(), { timeout: 20_000 }).toContain('passed');

    await page.goto(`${portalUrl}#/segments`);
    await page.getByRole('cell', { name: SEGMENT, exact: true }).waitFor();
    await expectAccessible(page, 'Segments');

    // An export to AdRoll: the catalog's advertiser id setting and the 100 to 250,000 limit.
    await page.goto(`${portalUrl}#/exports/new`);
    await page.getByRole('heading', { level: 1, name: 'Add export' }).waitFor();
    await page.getByRole('button', { name: 'Save export' }).click();
    await expect.poll(() => page.locator('.fui-Field', { has: page.getByRole('textbox', { name: /^Name/ }) }).textContent()).toContain('Name is required');
    await page.getByRole('textbox', { name: /^Name/ }).fill('Portal buyers to AdRoll');
    await page.getByRole('combobox', { name: /^Connection/ }).selectOption({ label: `${connectionName('adroll')} (AdRoll)` });
    await expect.poll(() => page.getByText('needs 100 to 250,000 per segment').count()).toBeGreaterThan(0);
    await page.getByRole('checkbox', { name: new RegExp(`^${SEGMENT}:`) }).check();
    await page.getByRole('combobox', { name: /email column/ }).selectOption('email');
    await page.getByRole('textbox', { name: /^Advertiser id/ }).fill(devConnections.adroll.settings.advertiserId!);
    await expectAccessible(page, 'Add export (filled in)');
    await screenshot('add-export');
    await page.getByRole('button', { name: 'Save export' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    await expectAccessible(page, 'Exports');

    await page.getByRole('button', { name: 'Run Portal buyers to AdRoll now' }).click();
    await page.getByRole('heading', { level: 1, name: 'Run' }).waitFor();
    const bar = page.getByRole('progressbar', { name: 'Progress' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('1');
    const counts = page.getByRole('table', { name: 'Counts per segment' }).getByRole('row', { name: new RegExp(SEGMENT) });
    await expect.poll(() => counts.textContent()).toMatch(/succeeded/);
    const cells = await counts.getByRole('cell').allTextContents();
    // Segment, Status, Read, Valid, Invalid, Duplicate, Suppressed, Unchanged, Skipped, Sent, Accepted, Rejected.
    expect(cells.slice(2, 12)).toEqual(['152', '150', '1', '1', '0', '0', '0', '150', '150', '0']);
    // A first run syncs in full; the audience changes say so.
    const changes = page.getByRole('table', { name: 'Audience changes per segment' }).getByRole('row', { name: new RegExp(SEGMENT) });
    expect((await changes.getByRole('cell').allTextContents()).slice(1, 3)).toEqual(['full', '150']);
    await expectAccessible(page, 'Run');
    await screenshot('run');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download rejected rows/ }).click()]);
    const report = await readFile((await download.path())!, 'utf8');
    expect(report.split('\n')[0]).toBe('segment,row,reason,value');
    expect(report).toContain('not-an-email');
    expect(report).toContain('buyer1@example.com');

    await page.getByRole('link', { name: 'Run history of this export' }).click();
    await page.getByRole('heading', { level: 1, name: /Run history/ }).waitFor();
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    await expectAccessible(page, 'Run history');

    // Editing starts from what is stored and saves with the export's ETag.
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('link', { name: 'Edit Portal buyers to AdRoll' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit export: Portal buyers to AdRoll' }).waitFor();
    expect(await page.getByRole('textbox', { name: /^Advertiser id/ }).inputValue()).toBe(devConnections.adroll.settings.advertiserId);
    await page.getByRole('checkbox', { name: /Truncate/ }).check();
    await expectAccessible(page, 'Edit export');
    await page.getByRole('button', { name: 'Save export' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    const { body: edited } = await app.api<{ items: { name: string; truncate: boolean }[] }>('GET', '/exports');
    expect(edited.items.find((e) => e.name === 'Portal buyers to AdRoll')?.truncate).toBe(true);

    await page.goto(`${portalUrl}#/schedule`);
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
    await page.getByRole('textbox', { name: /^NCRONTAB expression/ }).fill('0 30 2 * * *');
    await expect.poll(() => page.getByText(/At 02:30/).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved').waitFor();
    await expect.poll(() => page.getByRole('listitem').filter({ hasText: '02:30:00 GMT' }).count()).toBe(5);
    await expectAccessible(page, 'Schedule');
    await screenshot('schedule');
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('button', { name: 'Run Portal buyers to AdRoll now' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /Portal buyers to AdRoll/ }).textContent()).toContain('succeeded');
    await screenshot('exports');

    // Deleting a connection says first which exports it disables, and then disables them.
    await page.goto(`${portalUrl}#/connections`);
    await page.getByRole('button', { name: `Delete ${connectionName('adroll')}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Portal buyers to AdRoll').waitFor();
    await expectAccessible(page, 'Delete connection dialog');
    await dialog.getByRole('button', { name: 'Delete connection' }).click();
    await page.getByText(/deleted\. Disabled exports: 1\./).waitFor();
    // Closed, the dialog gives the page back to assistive technology (Tabster lifts aria-hidden shortly after).
    await expect.poll(() => dialog.count()).toBe(0);
    await page.waitForFunction("!document.getElementById('root').hasAttribute('aria-hidden')", undefined, { timeout: 5_000 });
    expect(await page.getByRole('row', { name: new RegExp(connectionName('adroll')) }).count()).toBe(0);
    await page.goto(`${portalUrl}#/exports`);
    await page.getByText('Disabled (connection-removed)').waitFor();
    expect(await page.getByRole('button', { name: 'Run Portal buyers to AdRoll now' }).isDisabled()).toBe(true);

    await page.goto(`${portalUrl}#/segments`);
    // The run counted the file's rows.
    await page.getByRole('cell', { name: '152' }).waitFor();
    await screenshot('segments');
  }, 240_000);

  it('a contributor sees only the connections open to contributors, cannot reach admin pages, and exports on an open one', async () => {
    await page.goto(`${portalUrl}#/connections`);
    await page.getByRole('combobox', { name: 'Act as' }).selectOption('contributor');
    await expect.poll(() => page.getByText('(contributor)').count()).toBe(1);
    const rows = page.getByRole('table', { name: 'Connections' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain(connectionName('autopilot'));
    expect(await page.getByRole('button', { name: /^(Add connection|Test|Delete)/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^(Schedule|Privacy)$/ }).count()).toBe(0);
    await expectAccessible(page, 'Connections (contributor)');
    await screenshot('connections-contributor');

    for (const [route, heading] of [['#/schedule', 'Schedule'], ['#/connections/new', 'Add connection'], ['#/privacy', 'Privacy']] as const) {
      await page.goto(`${portalUrl}${route}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.getByText('Admins only').waitFor();
      expect(await page.getByRole('button', { name: /Save|Suppress|Erase/ }).count()).toBe(0);
      await expectAccessible(page, `${heading} (contributor)`);
    }

    // The export form offers only the open connection.
    await page.goto(`${portalUrl}#/exports/new`);
    await page.getByRole('heading', { level: 1, name: 'Add export' }).waitFor();
    const options = await page.getByRole('combobox', { name: /^Connection/ }).locator('option').allTextContents();
    expect(options).toEqual(['Choose a connection', `${connectionName('autopilot')} (Autopilot)`]);

    // And on it a contributor creates and runs an export, with Autopilot's optional name columns.
    await page.getByRole('textbox', { name: /^Name/ }).fill('Contributor buyers to Autopilot');
    await page.getByRole('combobox', { name: /^Connection/ }).selectOption({ label: `${connectionName('autopilot')} (Autopilot)` });
    await page.getByRole('checkbox', { name: new RegExp(`^${SEGMENT}:`) }).check();
    await page.getByRole('combobox', { name: /email column/ }).selectOption('email');
    await page.getByRole('combobox', { name: /first name column/ }).selectOption('first_name');
    await page.getByRole('combobox', { name: /last name column/ }).selectOption('last_name');
    await page.getByRole('button', { name: 'Save export' }).click();
    await page.getByRole('button', { name: 'Run Contributor buyers to Autopilot now' }).click();
    await page.getByRole('heading', { level: 1, name: 'Run' }).waitFor();
    await expect.poll(() => page.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('1');
    const countsRow = page.getByRole('table', { name: 'Counts per segment' }).getByRole('row', { name: new RegExp(SEGMENT) });
    await expect.poll(() => countsRow.textContent()).toMatch(/succeeded|failed|skipped/);
    const counts = await countsRow.getByRole('cell').allTextContents();
    // Should it not succeed, the run record says why.
    const shown = await app.api('GET', `/runs/${page.url().split('/runs/')[1]}`);
    expect(counts.slice(1, 10), shown.text).toEqual(['succeeded', '152', '150', '1', '1', '0', '0', '0', '150']);
    // What Autopilot received: the audience named after the segment, with the mapped names.
    expect(app.sims.autopilot.audience(SEGMENT)?.members).toHaveLength(150);
    expect(app.sims.autopilot.contact('buyer7@example.com')).toMatchObject({ FirstName: 'Ann7', LastName: 'Lee7' });
    await page.getByRole('combobox', { name: 'Act as' }).selectOption('admin');
  }, 120_000);

  it('an export page previews a run, runs a full sync that removes a member added by hand, and adds and tests a webhook', async () => {
    const exportName = 'Contributor buyers to Autopilot';
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('link', { name: exportName, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Export: ${exportName}` }).waitFor();
    await page.getByText(/^Mirror: people who leave a segment are removed/).waitFor();
    await expectAccessible(page, 'Export page');

    // Nothing changed since the last run: the preview plans nothing; as a full sync, the whole membership.
    await page.getByRole('button', { name: 'Preview the next run' }).click();
    const plan = page.getByRole('region', { name: `Preview of ${SEGMENT}` });
    await expect.poll(() => plan.textContent(), { timeout: 20_000 }).toContain('Unchanged150');
    expect(await plan.textContent()).toContain('To add0');
    await page.getByRole('checkbox', { name: 'Preview a full sync' }).check();
    await page.getByRole('button', { name: 'Preview the next run' }).click();
    const fullPlan = page.getByRole('region', { name: `Preview of ${SEGMENT} (full sync)` });
    await expect.poll(() => fullPlan.textContent(), { timeout: 20_000 }).toContain('To add150');
    const sample = fullPlan.getByRole('table', { name: `First records to add to ${SEGMENT}` });
    expect(await sample.getByRole('row').count()).toBe(21);
    expect(await sample.getByRole('columnheader').allTextContents()).toEqual(expect.arrayContaining(['Email', 'FirstName', 'LastName']));
    expect(await sample.textContent()).toContain('buyer0@example.com');
    // A preview sends nothing.
    expect(app.sims.autopilot.audience(SEGMENT)?.members).toHaveLength(150);
    await expectAccessible(page, 'Export page (preview shown)');
    await screenshot('preview');

    // Someone adds a contact at Autopilot by hand; a full sync leaves the list equal to the segment.
    app.sims.autopilot.addMembers(SEGMENT, ['added.by.hand@example.com']);
    const fullSync = page.getByRole('checkbox', { name: 'Full sync', exact: true });
    expect(await page.locator('.fui-Field', { has: fullSync }).textContent()).toContain('removing members added outside the app');
    await fullSync.check();
    await page.getByRole('button', { name: 'Run a full sync now' }).click();
    await page.getByRole('heading', { level: 1, name: 'Run' }).waitFor();
    await expect.poll(() => page.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('1');
    await page.getByText(/Full sync requested/).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Counts per segment' }).getByRole('row', { name: new RegExp(SEGMENT) }).textContent()).toContain('succeeded');
    const changes = page.getByRole('table', { name: 'Audience changes per segment' }).getByRole('row', { name: new RegExp(SEGMENT) });
    // Segment, Sync, Added, To remove, Removed, ..., Tracked before, Tracked after.
    await expect.poll(() => changes.textContent()).toContain('full (requested)');
    // As the run record has them: nothing new joined, the stranger was the one removal.
    const runId = page.url().split('/runs/')[1]!;
    const { body: record } = await app.api<{ segments: { sync?: Record<string, number> }[] }>('GET', `/runs/${runId}`);
    const sync = record.segments[0]!.sync!;
    expect(sync).toMatchObject({ full: true, added: 0, toRemove: 1, removed: 1 });
    const changeCells = await changes.getByRole('cell').allTextContents();
    expect(changeCells.slice(1, 5)).toEqual(['full (requested)', '0', '1', '1']);
    expect(changeCells.slice(-2)).toEqual([String(sync.ledgerBefore), String(sync.ledgerAfter)]);
    expect(app.sims.autopilot.audience(SEGMENT)?.members).not.toContain('added.by.hand@example.com');
    // What the destination made of what the run sent, from the reading taken at its end.
    const processing = page.getByRole('table', { name: 'Processing at the destination per segment' }).getByRole('row', { name: new RegExp(SEGMENT) });
    await expect.poll(() => processing.textContent(), { timeout: 30_000 }).toContain('state not reported');
    expect((await processing.getByRole('cell').allTextContents()).slice(2, 4)).toEqual(['150', '100%']);
    await expectAccessible(page, 'Run (full sync)');
    await screenshot('run');

    // What Autopilot made of the audience, read at the end of each run: its own total_contacts beside the ledger, over time.
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('link', { name: exportName, exact: true }).click();
    const audience = page.getByRole('region', { name: SEGMENT, exact: true });
    await expect.poll(() => audience.textContent(), { timeout: 20_000 }).toContain('total_contacts 150');
    expect(await audience.textContent()).toContain('Match rate100%');
    const readings = audience.getByRole('table', { name: `Readings of ${SEGMENT}` });
    await expect.poll(() => readings.getByRole('row').count()).toBeGreaterThanOrEqual(2);
    await audience.locator('.recharts-line-dots').first().waitFor();
    await expectAccessible(page, 'Export page (audiences)');
    if (SCREENSHOTS) await audience.screenshot({ path: path.join(SCREENSHOTS, 'audiences.png') });
    await audience.getByRole('button', { name: 'Show as a table' }).click();
    await expectAccessible(page, 'Export page (audience readings as a table)');

    // Home: every export's health at a glance, sortable, each linking to its export.
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    const health = page.getByRole('table', { name: 'Export health' });
    const row = health.getByRole('row', { name: new RegExp(exportName) });
    await expect.poll(() => row.textContent()).toContain('succeeded');
    expect(await row.textContent()).toContain('0 of 1');
    expect(await health.getByRole('row').count()).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'Home');
    await screenshot('dashboard');
    const exportsInOrder = () => health.getByRole('row').locator('td:first-child a').allTextContents();
    await health.getByRole('button', { name: 'Export', exact: true }).click();
    expect(await health.getByRole('columnheader', { name: 'Export', exact: true }).getAttribute('aria-sort')).toBe('ascending');
    const ascending = await exportsInOrder();
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b)));
    await health.getByRole('button', { name: 'Export', exact: true }).click();
    expect(await exportsInOrder()).toEqual([...ascending].reverse());
    await expectAccessible(page, 'Home (sorted by export)');
    await row.getByRole('link', { name: exportName, exact: true }).click();
    await page.getByRole('region', { name: SEGMENT, exact: true }).waitFor();

    // A Teams webhook on the local sink: its URL is write-only, and a test reaches it.
    const form = page.getByRole('form', { name: 'Add a webhook' });
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await expect.poll(() => form.locator('.fui-Field', { has: page.getByRole('textbox', { name: /^Name/ }) }).textContent()).toContain('Name is required');
    const hookUrl = app.sims.webhookSink.webhookUrl('portal-teams');
    await form.getByRole('textbox', { name: /^Name/ }).fill('ops channel');
    await form.getByLabel(/^Webhook URL/).fill(hookUrl);
    await form.getByRole('checkbox', { name: 'Succeeded', exact: true }).check();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const hook = page.getByRole('table', { name: 'Webhooks' }).getByRole('row', { name: /ops channel/ });
    await expect.poll(() => hook.textContent()).toContain('Failed, Partially succeeded, Succeeded');
    expect(await hook.textContent()).toContain('set');
    expect(await page.content()).not.toContain(hookUrl);
    await page.getByRole('button', { name: 'Send a test to ops channel' }).click();
    await expect.poll(() => hook.textContent(), { timeout: 20_000 }).toContain('Test delivered (HTTP 200');
    expect(app.sims.webhookSink.received('portal-teams')).toHaveLength(1);
    await expectAccessible(page, 'Export page (webhook added and tested)');
    await screenshot('export');
  }, 120_000);

  it('an admin suppresses an address, erases a person and sees the outcome, and filters the audit trail', async () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('link', { name: 'Privacy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Privacy' }).waitFor();
    await expectAccessible(page, 'Privacy');

    const suppressions = page.getByRole('region', { name: 'Suppression list' });
    await suppressions.getByRole('textbox', { name: /Addresses to suppress/ }).fill('Buyer3@Example.com\nnot an address');
    await suppressions.getByRole('button', { name: 'Suppress' }).click();
    // The API names the refused address by position; the page repeats no address.
    const field = suppressions.locator('.fui-Field', { has: page.getByRole('textbox', { name: /Addresses to suppress/ }) });
    await expect.poll(() => field.textContent()).toContain('address 2:');
    await suppressions.getByRole('textbox', { name: /Addresses to suppress/ }).fill('Buyer3@Example.com');
    await suppressions.getByRole('button', { name: 'Suppress' }).click();
    await suppressions.getByText(/^1 added to the suppression list/).waitFor();
    await suppressions.getByRole('cell', { name: sha256('buyer3@example.com') }).waitFor();
    expect((await page.content()).toLowerCase()).not.toContain('buyer3@example.com');

    const erasures = page.getByRole('region', { name: 'Erasure requests' });
    const person = 'buyer4@example.com';
    expect(app.sims.autopilot.audience(SEGMENT)?.members).toContain(person);
    await erasures.getByRole('textbox', { name: /Email address/ }).fill(person);
    await erasures.getByRole('button', { name: 'Erase this person' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('Erase this person everywhere?').waitFor();
    await expectAccessible(page, 'Erasure confirmation');
    await confirm.getByRole('button', { name: 'Erase', exact: true }).click();
    const outcome = page.getByRole('region', { name: 'Erasure outcome' });
    const row = outcome.getByRole('row', { name: /Contributor buyers to Autopilot/ });
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('removed');
    await expect.poll(() => outcome.textContent(), { timeout: 60_000 }).toMatch(/completed|partially-completed/);
    expect(app.sims.autopilot.audience(SEGMENT)?.members).not.toContain(person);
    expect(await page.content()).not.toContain(person);
    await page.waitForFunction("!document.getElementById('root').hasAttribute('aria-hidden')", undefined, { timeout: 5_000 });
    await erasures.getByRole('table', { name: 'Erasures' }).getByRole('row').nth(1).waitFor();
    await expectAccessible(page, 'Privacy (erasure outcome)');

    const audit = page.getByRole('region', { name: 'Audit trail' });
    await audit.getByRole('combobox', { name: 'Entity' }).selectOption({ label: 'Suppressions' });
    await audit.getByRole('button', { name: 'Apply filters' }).click();
    const trail = audit.getByRole('table', { name: 'Audit trail' });
    // The Action column of every row listed.
    const actions = async () => [...new Set(await trail.locator('tbody tr td:nth-child(3)').allTextContents())];
    await expect.poll(actions).toEqual(['suppression.added']);
    expect(await trail.textContent()).toContain('emails: (1 given)');
    await audit.getByRole('combobox', { name: 'Entity' }).selectOption({ label: 'Exports' });
    await audit.getByRole('textbox', { name: 'User id' }).fill('dev-contributor');
    await audit.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => trail.textContent()).toContain('export.created');
    expect(await trail.textContent()).not.toContain('dev-admin');
    await expectAccessible(page, 'Privacy (audit filtered)');
    await screenshot('privacy');
  }, 120_000);

  it('works from the keyboard alone: the navigation, the admin actions and a form', async () => {
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    const focused = () => page.evaluate('document.activeElement?.textContent ?? ""') as Promise<string>;
    /** Presses Tab until the focused element's text is `text`; fails after `limit` presses. */
    async function tabTo(text: string | RegExp, limit = 40): Promise<void> {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        const now = (await focused()).trim();
        if (typeof text === 'string' ? now === text : text.test(now)) return;
      }
      throw new Error(`Tab never reached ${text}`);
    }
    await tabTo('Connections');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await tabTo('Add connection');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Add connection' }).waitFor();
    await tabTo('Save connection');
    await page.keyboard.press('Enter');
    await page.getByText('Display name is required').waitFor();
    // Back to the checkbox before the button; Space ticks and unticks it.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement?.labels?.[0]?.textContent ?? ""')).toMatch(/export user/);
    const exportUser = page.getByRole('checkbox', { name: /export user/ });
    await page.keyboard.press('Space');
    expect(await exportUser.isChecked()).toBe(false);
    await page.keyboard.press('Space');
    expect(await exportUser.isChecked()).toBe(true);

    // The Privacy page from the navigation, and its suppression form, by keyboard.
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    await tabTo('Privacy');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Privacy' }).waitFor();
    await tabTo('Suppress');
    await page.keyboard.press('Enter');
    await page.getByText('Enter at least one address').waitFor();

    // On an export page, the full sync choice is a checkbox in the tab order.
    await page.goto(`${portalUrl}#/exports`);
    await page.getByRole('link', { name: 'Contributor buyers to Autopilot', exact: true }).waitFor();
    await tabTo('Contributor buyers to Autopilot');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^Export: / }).waitFor();
    await tabTo('Run now');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: 'Full sync', exact: true }).isChecked()).toBe(true);
    expect((await focused()).trim()).toBe('');
    await page.getByRole('button', { name: 'Run a full sync now' }).waitFor();
  }, 60_000);
});
