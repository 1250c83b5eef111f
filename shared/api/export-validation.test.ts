import { describe, expect, it } from 'vitest';
import type { Segment } from '../domain/segment.js';
import { z } from 'zod';
import { getDestination } from '../destinations/registry.js';
import type { Destination } from '../destinations/types.js';
import { exportContentIssues } from './export-validation.js';

const catalog = (segments: Segment[]) => ({ find: async (name: string) => segments.find((s) => s.name === name) });
const segment = (name: string, columns: string[]): Segment => ({
  name, latestFile: `${name}/latest.csv`, format: 'csv', gzip: false, columns, refreshedAt: '2025-01-01T00:00:00.000Z',
});

describe('exportContentIssues', () => {
  const known = catalog([segment('buyers', ['email', 'first_name']), segment('unread', [])]);

  it('accepts a content that fits, and segments the catalog does not know yet', async () => {
    expect(
      await exportContentIssues(known, getDestination('autopilot'), {
        segments: ['buyers', 'future', 'unread'],
        dataMatching: { email: 'email', firstName: 'first_name' },
        settings: {},
      }),
    ).toEqual([]);
  });

  it('checks settings against the destination schema', async () => {
    const issues = await exportContentIssues(known, getDestination('microsoft-advertising'), {
      segments: ['buyers'],
      dataMatching: { email: 'email' },
      settings: { customerId: 'abc', extra: 'x' },
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['settings.accountId', 'settings.customerId', 'settings.extra']);
  });

  it('allows first and last names only where the destination takes them', async () => {
    const issues = await exportContentIssues(known, getDestination('rollworks'), {
      segments: ['buyers'],
      dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
      settings: { advertiserId: 'A' },
    });
    expect(issues.map((i) => i.field)).toEqual(['dataMatching.firstName', 'dataMatching.lastName']);
    expect(issues[0]!.message).toMatch(/RollWorks takes only email/);
  });

  it('allows a company column only where the destination takes it (LinkedIn)', async () => {
    const b2b = catalog([segment('buyers', ['email', 'company'])]);
    const content = { segments: ['buyers'], dataMatching: { email: 'email', company: 'company' } };
    expect(await exportContentIssues(b2b, getDestination('linkedin'), { ...content, settings: { adAccountId: '512345' } })).toEqual([]);
    const issues = await exportContentIssues(b2b, getDestination('meta'), { ...content, settings: { adAccountId: '1234' } });
    expect(issues.map((i) => i.field)).toContain('dataMatching.company');
  });

  it('names the segment and its columns when a mapped column is missing', async () => {
    const issues = await exportContentIssues(known, getDestination('autopilot'), {
      segments: ['buyers'],
      dataMatching: { email: 'email', lastName: 'surname' },
      settings: {},
    });
    expect(issues).toEqual([
      { field: 'dataMatching.lastName', message: "column 'surname' is not in the latest file of segment 'buyers' (buyers/latest.csv); its columns: email, first_name" },
    ]);
  });

  it('refuses a segment listed twice', async () => {
    const issues = await exportContentIssues(known, getDestination('autopilot'), {
      segments: ['a', 'b', 'a'],
      dataMatching: { email: 'email' },
      settings: {},
    });
    expect(issues).toEqual([{ field: 'segments.2', message: "segment 'a' is listed twice" }]);
  });

  describe('for a destination that matches on email, or phone, or name with postal code and country', () => {
    const phoneDestination: Destination = {
      ...getDestination('microsoft-advertising'),
      displayName: 'Phone Audiences',
      settings: z.object({}),
      dataMatching: { required: [], optional: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode'] },
      identifiers: {
        matchSets: [['email'], ['phone'], ['firstName', 'lastName', 'postalCode', 'countryCode']],
        encoding: { email: 'sha256-hex', phone: 'sha256-hex', firstName: 'sha256-hex', lastName: 'sha256-hex', postalCode: 'plain', countryCode: 'plain' },
      },
    };
    const contacts = catalog([segment('contacts', ['mail', 'mobile', 'first', 'last', 'zip', 'country'])]);
    const check = (dataMatching: Record<string, string>, defaultCountry?: string) =>
      exportContentIssues(contacts, phoneDestination, { segments: ['contacts'], dataMatching, settings: {}, ...(defaultCountry ? { defaultCountry } : {}) });

    it('accepts a phone alone with its default country, and a full name set without an email', async () => {
      expect(await check({ phone: 'mobile' }, 'US')).toEqual([]);
      expect(await check({ firstName: 'first', lastName: 'last', postalCode: 'zip', countryCode: 'country' })).toEqual([]);
    });

    it('needs the default country when a phone is mapped, and one whose numbers are known', async () => {
      expect(await check({ email: 'mail', phone: 'mobile' })).toEqual([{ field: 'defaultCountry', message: expect.stringContaining('needed when phone is mapped') }]);
      expect(await check({ phone: 'mobile' }, 'XX')).toEqual([{ field: 'defaultCountry', message: expect.stringContaining("'XX' is not a country") }]);
    });

    it('says which combinations match when the mapping completes none', async () => {
      expect(await check({ firstName: 'first', postalCode: 'zip' })).toEqual([
        { field: 'dataMatching', message: 'Phone Audiences matches people by email, or phone, or firstName + lastName + postalCode + countryCode: map the columns of at least one' },
      ]);
    });
  });
});
