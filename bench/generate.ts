import { Readable } from 'node:stream';

/**
 * Deterministic segment files of realistic-looking profiles for the benchmark and tests.
 * Every row's fate is decided by a seeded PRNG, so the expected counts (valid, invalid,
 * duplicate) are known exactly and a run's record can be reconciled against them.
 */
export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Share of rows whose email is not a plausible address. */
  invalidShare?: number;
  /** Share of rows that repeat an earlier address (differently cased or padded). */
  duplicateShare?: number;
  format?: 'csv' | 'jsonl';
  /**
   * Share of members replaced by newcomers, as in a refresh where that many left and as many
   * joined: the same seed gives the same rows, with each churned member's address swapped.
   */
  churn?: number;
}

export interface ExpectedCounts {
  read: number;
  valid: number;
  invalid: number;
  duplicate: number;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Linus', 'Radia', 'Niklaus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Torvalds', 'Perlman', 'Wirth'];
const DOMAINS = ['example.com', 'contoso.com', 'fabrikam.net', 'northwind.org', 'adventure-works.io'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE'];
const INVALID = ['', 'not-an-email', 'two@@example.com', 'spaces in@example.com', 'nodot@localhost', '@example.com'];

/** mulberry32: tiny, fast, good enough to spread fates evenly; not for security. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniqueEmail = (n: number) =>
  `${FIRST[n % FIRST.length]!.toLowerCase()}.${LAST[(n >>> 4) % LAST.length]!.toLowerCase()}.${n}@${DOMAINS[n % DOMAINS.length]}`;

/** Whether member n is churned: a hash of n, so the choice does not disturb the row PRNG. */
export function isChurned(n: number, share: number): boolean {
  if (share <= 0) return false;
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 < share;
}

export const csvHeader = 'customer_id,email_address,first_name,last_name,country,lifetime_value\n';

/** Produces the rows as a stream of text chunks, and the exact counts once it has ended. */
export function generateSegment(options: GenerateOptions): { stream: Readable; expected: ExpectedCounts } {
  const random = prng(options.seed ?? 42);
  const invalidShare = options.invalidShare ?? 0.02;
  const duplicateShare = options.duplicateShare ?? 0.03;
  const format = options.format ?? 'csv';
  const expected: ExpectedCounts = { read: 0, valid: 0, invalid: 0, duplicate: 0 };
  const churn = options.churn ?? 0;
  const memberEmail = (n: number) => (isChurned(n, churn) ? uniqueEmail(n).replace('@', '.joined@') : uniqueEmail(n));
  let row = 0;
  const chunkRows = 2_000;

  const line = (): string => {
    const roll = random();
    let email: string;
    if (roll < invalidShare) {
      email = INVALID[row % INVALID.length]!;
      expected.invalid++;
    } else if (roll < invalidShare + duplicateShare && expected.valid > 0) {
      const earlier = memberEmail(Math.floor(random() * expected.valid));
      email = row % 2 === 0 ? ` ${earlier.toUpperCase()} ` : earlier;
      expected.duplicate++;
    } else {
      email = memberEmail(expected.valid);
      expected.valid++;
    }
    expected.read++;
    const first = FIRST[row % FIRST.length]!;
    const last = LAST[(row >>> 3) % LAST.length]!;
    const country = COUNTRIES[row % COUNTRIES.length]!;
    const ltv = (random() * 1000).toFixed(2);
    const id = `C${String(row + 1).padStart(9, '0')}`;
    row++;
    if (format === 'jsonl') {
      return JSON.stringify({ customer_id: id, email_address: email, first_name: first, last_name: last, country, lifetime_value: Number(ltv) }) + '\n';
    }
    // Quote the email: padded duplicates keep their spaces, and a comma-free field stays valid RFC 4180 either way.
    return `${id},"${email}",${first},${last},${country},${ltv}\n`;
  };

  const stream = new Readable({
    read() {
      if (row === 0 && format === 'csv') this.push(csvHeader);
      if (row >= options.rows) {
        this.push(null);
        return;
      }
      const end = Math.min(options.rows, row + chunkRows);
      let text = '';
      while (row < end) text += line();
      this.push(text);
    },
  });
  return { stream, expected };
}
