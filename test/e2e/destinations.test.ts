import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type DestinationType, type RunningApp } from './app.js';

/**
 * From the blob drop to each destination's audience: a 5,000-row segment file exported to
 * every destination through the real connectors, over loopback to the simulators. The run
 * record's counts must equal what the simulator holds.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const ROWS = 5_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each<DestinationType>(['adroll', 'rollworks', 'microsoft-advertising', 'autopilot'])('export of %s', (type) => {
  it(`delivers a ${ROWS.toLocaleString('en')}-row segment, every member once`, async () => {
    const segment = `members-for-${type}`;
    const people = Array.from({ length: ROWS }, (_, i) => ({ email: `${type}.member.${i + 1}@example.com`, first: `First${i + 1}`, last: `Last${i + 1}` }));
    // Quoted names that hold line breaks and a tab: each run of them arrives as one space.
    const broken = [
      { at: 162, last: 'Name\n163', sent: 'Name 163' },
      { at: 163, last: 'Tab\tand\r\nbreak', sent: 'Tab and break' },
    ];
    for (const { at, last } of broken) people[at]!.last = last;
    const names = type === 'autopilot' ? { dataMatching: { email: 'Email Address', firstName: 'First Name', lastName: 'Last Name' } } : { dataMatching: { email: 'Email Address' } };
    const exportId = await app.createExport(type, [segment], names);
    // Mixed case and padding on the way in: what arrives must be the normalized address.
    const csv = `Email Address,First Name,Last Name\n${people.map((p, i) => `${i % 7 === 0 ? ` ${p.email.toUpperCase()}` : p.email},${p.first},"${p.last}"`).join('\n')}\n`;
    await app.dropFile(`${segment}/export.csv`, csv);

    const run = await app.waitForRun(exportId);
    expect(run.status, run.reason).toBe('succeeded');
    const [tally] = run.segments;
    expect(tally).toMatchObject({ segment, read: ROWS, valid: ROWS, invalid: 0, duplicate: 0, sent: ROWS, rejected: 0 });

    const audiences = app.sims.byType[type].audiences().filter((a) => a.name === segment);
    expect(audiences).toHaveLength(1);
    const [audience] = audiences;
    expect(tally!.audienceId).toBe(audience!.id);
    expect(audience!.members).toHaveLength(tally!.accepted);
    expect(new Set(audience!.members).size).toBe(audience!.members.length);
    const expected = people.map((p) => (type === 'microsoft-advertising' ? sha256(p.email) : p.email));
    expect([...audience!.members].sort()).toEqual(expected.sort());

    if (type === 'autopilot') {
      for (const person of [people[0]!, people[2_500]!, people[ROWS - 1]!]) {
        expect(app.sims.autopilot.contact(person.email)).toMatchObject({ FirstName: person.first, LastName: person.last });
      }
      for (const { at, sent } of broken) {
        expect(app.sims.autopilot.contact(people[at]!.email)).toMatchObject({ FirstName: people[at]!.first, LastName: sent });
      }
    }
  });
});
