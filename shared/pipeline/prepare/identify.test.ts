import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from 'node:stream/consumers';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite.js';
import { memberEntry, sentIdentifiers, sha256Hex } from '../../destinations/common/identifiers.js';
import type { IdentifierSupport } from '../../destinations/types.js';
import { readWorkFile } from '../run-files/work-files.js';
import { streamReport } from '../run-files/report.js';
import { identify, type IdentifyPlan } from './identify.js';
import { prepareSegment, type PrepareContainers } from './prepare.js';

let azurite: RunningAzurite;
let containers: PrepareContainers;

beforeAll(async () => {
  azurite = await startAzurite();
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const make = async (name: string): Promise<ContainerClient> => {
    const c = blobs.getContainerClient(name);
    await c.createIfNotExists();
    return c;
  };
  containers = { segments: await make('segments'), work: await make('work'), reports: await make('reports') };
});
afterAll(() => azurite?.stop());

/** A unit-level destination that matches on the email or the phone, each sent as SHA-256. */
const emailOrPhone: IdentifierSupport = { matchSets: [['email'], ['phone']], encoding: { email: 'sha256-hex', phone: 'sha256-hex' } };

describe('preparing for a destination that takes email or phone', () => {
  it('sends each row by what it has, and reports each dropped row and identifier with its column', async () => {
    const file = [
      'Email,Mobile',
      'only.email@x.com,', // 1 email only
      ',+1 415 555 0123', // 2 phone only
      'both@x.com,+44 20 7946 0018', // 3 both
      ',', // 4 neither
      ',(212) 555-0142', // 5 national, in defaultCountry US
      ',12', // 6 bad phone, nothing else
      'not-an-email,+49 30 12345678', // 7 bad email, good phone: sent by phone
      'BOTH@x.com,', // 8 the person of row 3 again
      'good@x.com,not a phone', // 9 good email, bad phone: sent by email
      'bad-email,', // 10 bad email, nothing else
    ].join('\n');
    await containers.segments.getBlockBlobClient('mixed/1.csv').upload(file, Buffer.byteLength(file));

    const result = await prepareSegment(containers, {
      runId: 'run-mixed',
      segmentIndex: 0,
      segment: 'mixed',
      blobName: 'mixed/1.csv',
      dataMatching: { email: 'Email', phone: 'Mobile' },
      matchSets: emailOrPhone.matchSets,
      defaultCountry: 'US',
      recordsPerWorkFile: 100,
    });

    expect(result).toMatchObject({ read: 10, valid: 6, invalid: 3, duplicate: 1 });
    const records = await readWorkFile(containers.work, result.workFiles[0]!.name);
    expect(records.map((record) => sentIdentifiers(emailOrPhone, record))).toEqual([
      { email: sha256Hex('only.email@x.com') },
      { phone: sha256Hex('14155550123') },
      { email: sha256Hex('both@x.com'), phone: sha256Hex('442079460018') },
      { phone: sha256Hex('12125550142') },
      { phone: sha256Hex('493012345678') },
      { email: sha256Hex('good@x.com') },
    ]);
    expect(records.map((record) => record.row)).toEqual([1, 2, 3, 5, 7, 9]);
    expect(memberEntry(emailOrPhone, records[4]!)).toBe(`phone=${sha256Hex('493012345678')}`);

    const report = await text(streamReport(containers.reports, 'run-mixed'));
    expect(report.trimEnd().split('\n')).toEqual([
      'segment,row,reason,value',
      'mixed,4,no-identifier,',
      'mixed,6,invalid-phone: Mobile,12',
      'mixed,7,identifier-dropped: email (invalid-email: Email),not-an-email',
      'mixed,8,duplicate,email:both@x.com',
      'mixed,9,identifier-dropped: phone (invalid-phone: Mobile),not a phone',
      'mixed,10,invalid-email: Email,bad-email',
    ]);
  });

  it('prepares an email-only destination exactly as before when matchSets say email alone', async () => {
    const file = 'email,first\nA@x.com,Ann\n,Bo\n';
    await containers.segments.getBlockBlobClient('plain/1.csv').upload(file, Buffer.byteLength(file));
    const result = await prepareSegment(containers, {
      runId: 'run-plain',
      segmentIndex: 0,
      segment: 'plain',
      blobName: 'plain/1.csv',
      dataMatching: { email: 'email', firstName: 'first' },
      matchSets: [['email']],
      recordsPerWorkFile: 100,
    });
    expect(result).toMatchObject({ read: 2, valid: 1, invalid: 1 });
    expect(await readWorkFile(containers.work, result.workFiles[0]!.name)).toEqual([{ row: 1, email: 'a@x.com', firstName: 'Ann' }]);
    expect(await text(streamReport(containers.reports, 'run-plain'))).toContain('plain,2,missing-email,');
  });

  it('carries a mapped company into the profile, trimmed and as written, and none when it is not mapped', async () => {
    const file = 'email,company,country\nA@x.com,  Contoso Ltd. ,gb\nb@x.com,,US\n';
    await containers.segments.getBlockBlobClient('b2b/1.csv').upload(file, Buffer.byteLength(file));
    const input = { segmentIndex: 0, segment: 'b2b', blobName: 'b2b/1.csv', matchSets: [['email']] as IdentifierSupport['matchSets'], recordsPerWorkFile: 100 };
    const mapped = await prepareSegment(containers, { ...input, runId: 'run-company', dataMatching: { email: 'email', company: 'company', countryCode: 'country' } });
    expect(mapped).toMatchObject({ read: 2, valid: 2, invalid: 0 });
    expect(await readWorkFile(containers.work, mapped.workFiles[0]!.name)).toEqual([
      { row: 1, email: 'a@x.com', company: 'Contoso Ltd.', countryCode: 'GB' },
      // An empty company cell is no company, and not a fault worth reporting.
      { row: 2, email: 'b@x.com', countryCode: 'US' },
    ]);
    expect((await text(streamReport(containers.reports, 'run-company'))).trimEnd().split('\n')).toEqual(['segment,row,reason,value']);

    // The file has the column, the export does not map it: no company travels.
    const unmapped = await prepareSegment(containers, { ...input, runId: 'run-no-company', dataMatching: { email: 'email', countryCode: 'country' } });
    expect(await readWorkFile(containers.work, unmapped.workFiles[0]!.name)).toEqual([
      { row: 1, email: 'a@x.com', countryCode: 'GB' },
      { row: 2, email: 'b@x.com', countryCode: 'US' },
    ]);
  });
});

describe('identify', () => {
  it('keeps a company beside the match set without it counting towards a match', () => {
    const plan: IdentifyPlan = { names: ['email', 'company'], columns: ['Email', 'Company'], matchSets: [['email']] };
    expect(identify([' Ann@X.com ', ' Contoso\tLtd '], plan)).toEqual({ ok: true, profile: { email: 'ann@x.com', company: 'Contoso Ltd' }, key: 'email:ann@x.com', dropped: [] });
    // A company alone is no way to match a person.
    expect(identify(['', 'Contoso'], plan)).toEqual({ ok: false, reason: 'no-identifier', value: undefined });
  });
});
