import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFile, expectAccounted, expectEnded, exportTo, finished, reportRows, rssMb, runNow, startStack, type Run, type Stack } from './stack.js';

/**
 * Segment files as they arrive in practice, malformed ones included, through `npm start`
 * to the Autopilot simulator: whatever the file, the run ends with a short reason and
 * every data row is delivered or reported.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

let seq = 0;
/** Drops `content` as the only file of a new segment, runs an export of it now, and waits for the run. */
async function runFile(file: string, content: Buffer | string | (() => Readable), timeoutMs?: number): Promise<{ run: Run; segment: string; delivered: () => Promise<number> }> {
  const segment = `rel-${++seq}-${Date.now().toString(36)}`;
  const { exportId } = await exportTo(stack, 'autopilot', segment);
  await dropFile(stack, `${segment}/${file}`, content);
  const run = await finished(stack, await runNow(stack, exportId), timeoutMs);
  return { run, segment, delivered: async () => (await stack.sim('autopilot').members(segment)).length };
}

const rows = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `person.${i + from}@example.com,Name ${i + from}`);
const csv = (lines: string[]) => `email,name\n${lines.join('\n')}\n`;

describe('files with nothing to send', () => {
  it('an empty file fails its segment with a reason', async () => {
    const { run, delivered } = await runFile('empty.csv', '');
    expect(run.status).toBe('failed');
    expect(run.segments[0]!.reason).toMatch(/^missing-column/);
    await expectAccounted(stack, run, 0, await delivered());
  });

  it('a header without rows sends nothing and succeeds', async () => {
    const { run, delivered } = await runFile('header.csv', 'email,name\n');
    expect(['succeeded', 'skipped']).toContain(run.status);
    expect(run.segments[0]).toMatchObject({ read: 0, sent: 0 });
    await expectAccounted(stack, run, 0, await delivered());
  });

  it('a file whose header lacks the mapped column fails with missing-column, naming it', async () => {
    const { run, delivered } = await runFile('no-email.csv', `mail,name\n${rows(20).join('\n')}\n`);
    expect(run.status).toBe('failed');
    expect(run.segments[0]!.reason).toMatch(/^missing-column: email/);
    expect(await delivered()).toBe(0);
    await expectEnded(stack, run);
  });
  it('a file whose header lacks the mapped column lists each of its rows in the report', async () => {
    const { run, delivered } = await runFile('no-email-listed.csv', `mail,name\n${rows(20).join('\n')}\n`);
    await expectAccounted(stack, run, 20, await delivered());
  });

  it('a .txt file does not count, and the run says which files do', async () => {
    const { run } = await runFile('members.txt', csv(rows(10)));
    expect(run.status).toBe('failed');
    const reason = run.segments[0]!.reason!;
    expect(reason).toMatch(/^segment-file-not-found: no \.csv, \.jsonl or \.ndjson, optionally gzipped \(\.gz\) file under segments\/\S+\/; not segment files: members\.txt$/);
    await expectAccounted(stack, run, 0, 0);
  });
});

describe('damaged files', () => {
  it('a truncated gzip fails the segment with unreadable-file and sends nothing', async () => {
    const whole = gzipSync(csv(rows(2_000)));
    const { run, delivered } = await runFile('cut.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    expect(run.status).toBe('failed');
    expect(run.segments[0]!.reason).toMatch(/^unreadable-file/);
    expect(await delivered()).toBe(0);
    await expectEnded(stack, run);
  });
  it('a truncated gzip lists the rows it could read in the report', async () => {
    const whole = gzipSync(csv(rows(2_000)));
    const { run, delivered } = await runFile('cut-listed.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    expect(run.segments[0]!.read).toBeGreaterThan(0);
    await expectAccounted(stack, run, run.segments[0]!.read, await delivered());
  });

  it('a binary file renamed .csv sends nothing and ends with a reason', async () => {
    // The same bytes every time (SHA-256 in counter mode), with neither quotes nor carriage returns.
    const bytes = Buffer.from(
      Buffer.concat(Array.from({ length: 2_048 }, (_, i) => createHash('sha256').update(String(i)).digest())).map((b) => (b === 0x22 || b === 0x0d ? 0x20 : b)),
    );
    const { run, delivered } = await runFile('image.csv', bytes);
    expect(await delivered()).toBe(0);
    expect(run.status).toBe('failed');
    // Once invalid UTF-8 is refused (item 5) the encoding may be named before the header.
    expect(run.segments[0]!.reason).toMatch(/^(missing-column|invalid-encoding)/);
    await expectEnded(stack, run);
  });
  it('invalid UTF-8 rows are reported as invalid-encoding, the rest delivered', async () => {
    const good = rows(100);
    const latin1 = Buffer.from('ren\xe9e@example.com,Ren\xe9e\n', 'latin1');
    const file = Buffer.concat([Buffer.from(csv(good)), latin1]);
    const { run, delivered } = await runFile('latin1.csv', file);
    // Rows refused for their content are reported; they do not fail the segment.
    expect(run.status).toBe('succeeded');
    expect((await reportRows(stack, run.id)).some((line) => line.includes(',101,invalid-encoding'))).toBe(true);
    await expectAccounted(stack, run, 101, await delivered());
  });
  it('stray quotes are reported row by row with their line numbers, and every other row is delivered', async () => {
    const lines = rows(1_000);
    lines[49] = 'person.50@example.com,"Name 49';
    lines[59] = 'person.60@example.com,O"Brien 59';
    const { run, delivered } = await runFile('quotes.csv', csv(lines));
    expect(run.segments[0]!.read).toBe(1_000);
    const report = await reportRows(stack, run.id);
    expect(report.map((line) => line.split(',')[1])).toEqual(['50']);
    await expectAccounted(stack, run, 1_000, await delivered());
  });
  it('a 10 MB field in a column not sent is read through, the record stays small, and the host keeps serving', async () => {
    const { run, delivered } = await runFile('wide.csv', `email,name\nperson.1@example.com,${'x'.repeat(10 * 1024 * 1024)}\nperson.2@example.com,ok\n`);
    expect(run.segments[0]!.accepted).toBe(2);
    expect(JSON.stringify(run).length).toBeLessThan(10_000);
    await expectAccounted(stack, run, 2, await delivered());
  });
  it('a 40 KB header fails the file with a short reason', async () => {
    const { run } = await runFile('long-header.csv', `email,${'h'.repeat(40 * 1024)}\nperson.1@example.com,x\n`, 30_000);
    expect(run.status).toBe('failed');
    // Without a readable header no row can be read: the segment fails, naming why, in one short line.
    expect(run.segments[0]!.reason).toMatch(/^header-too-long/);
    await expectEnded(stack, run);
  });
});

describe('a gzip bomb', () => {
  it('2 GB uncompressed of JSON Lines: streamed through with the host memory flat, every row accounted for', async () => {
    const pid = (await stack.hostPid())!;
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 200);
    // 32,768 lines of 64 KB, the same member each time: one delivered, the rest reported as duplicates.
    const line = `${JSON.stringify({ email: 'bomb@example.com', name: 'Bomb', pad: 'a'.repeat(64 * 1024 - 60) })}\n`;
    const lines = 32 * 1024;
    try {
      const { run, delivered } = await runFile('bomb.jsonl.gz', () => repeatedGzipMember(line, lines), 300_000);
      expect(run.status, run.segments[0]?.reason).toBe('succeeded');
      expect(run.segments[0]).toMatchObject({ read: lines, valid: 1, duplicate: lines - 1, accepted: 1 });
      await expectAccounted(stack, run, lines, await delivered());
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before, `host RSS went from ${before.toFixed(0)} MB to ${peak.toFixed(0)} MB`).toBeLessThan(150);
  }, 400_000);
  it('2 GB uncompressed: the run ends with a reason and the host memory stays flat', async () => {
    const pid = (await stack.hostPid())!;
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 200);
    try {
      const { run, delivered } = await runFile('bomb.csv.gz', () => gzipStream(2 * 1024 ** 3, 'email,name\nperson.1@example.com,', 'a', '\n'), 300_000);
      // The one row is far over the row bound: reported as malformed, nothing left to send.
      expect(['failed', 'skipped']).toContain(run.status);
      await expectAccounted(stack, run, 1, await delivered());
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(200);
  }, 400_000);
});

describe('well-formed files', () => {
  it('invalid and duplicate rows are reported, the rest delivered', async () => {
    const lines = [...rows(300), 'not-an-email,Nobody', 'person.1@example.com,Again', ' PERSON.2@Example.com ,Again', ',Empty'];
    const { run, delivered } = await runFile('mixed.csv', csv(lines));
    expect(run.status).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ read: 304, valid: 300, invalid: 2, duplicate: 2, accepted: 300 });
    await expectAccounted(stack, run, 304, await delivered());
  });

  it('a gzipped JSON Lines file is delivered whole', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ email: `json.${i}@example.com`, name: `J ${i}` }));
    const { run, delivered } = await runFile('members.jsonl.gz', gzipSync(`${lines.join('\n')}\n`));
    expect(run.status).toBe('succeeded');
    await expectAccounted(stack, run, 500, await delivered());
  });
});

/**
 * `text` compressed once and sent `times` times: concatenated gzip members are one valid
 * gzip stream, so gigabytes uncompressed are made in a moment and never held.
 */
function repeatedGzipMember(text: string, times: number): Readable {
  const member = gzipSync(text);
  return Readable.from((function* () {
    for (let i = 0; i < times; i++) yield member;
  })());
}

/**
 * A gzip stream of `bytes` uncompressed: `head`, then `fill` repeated, then `tail`, made as
 * it is read and never held (a 2 GB file compresses to a few MB).
 */
function gzipStream(bytes: number, head: string, fill: string, tail: string): Readable {
  const chunk = Buffer.alloc(1024 * 1024, fill);
  async function* generate() {
    yield Buffer.from(head);
    for (let left = bytes - head.length - tail.length; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    yield Buffer.from(tail);
  }
  return Readable.from(generate()).pipe(createGzip({ level: constants.Z_BEST_SPEED }));
}
