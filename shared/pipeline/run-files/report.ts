import { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobLineWriter } from './blob-line-writer.js';

/**
 * The rejected-rows report of a run: every row that was not delivered, with the reason.
 * Each stage writes its own part (`<runId>/<part>.csv`, no header) so parallel activities
 * never write the same blob; the API streams the parts as one CSV with one header.
 */
export interface RejectedRow {
  segment: string;
  row: number;
  reason: string;
  value?: string;
}

export const REPORT_HEADER = 'segment,row,reason,value';

export const reportPartName = (runId: string, part: string) => `${runId}/${part}.csv`;

export function csvField(value: string): string {
  // A leading =, +, - or @ would make a spreadsheet run the cell as a formula: neutralize it.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const reportLine = (r: RejectedRow) =>
  [csvField(r.segment), String(r.row), csvField(r.reason), csvField(r.value ?? '')].join(',');

export class ReportWriter {
  private readonly writer: BlobLineWriter;

  constructor(container: ContainerClient, runId: string, part: string) {
    this.writer = new BlobLineWriter(container, reportPartName(runId, part), 'text/csv');
  }

  add(row: RejectedRow): Promise<void> | undefined {
    return this.writer.write(reportLine(row));
  }

  close(): Promise<number> {
    return this.writer.close();
  }

  abort(error: Error): void {
    this.writer.abort(error);
  }
}

/** Writes a bounded list of rejected rows as one report part. */
export async function writeReportPart(container: ContainerClient, runId: string, part: string, rows: RejectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const writer = new ReportWriter(container, runId, part);
  for (const row of rows) await writer.add(row);
  await writer.close();
}

/** The whole report as one CSV stream: the header, then every part in name order. */
export function streamReport(container: ContainerClient, runId: string): Readable {
  async function* lines() {
    yield REPORT_HEADER + '\n';
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: `${runId}/` })) names.push(blob.name);
    names.sort();
    for (const name of names) {
      const download = await container.getBlobClient(name).download();
      for await (const chunk of download.readableStreamBody as AsyncIterable<Buffer>) yield chunk;
    }
  }
  return Readable.from(lines());
}
