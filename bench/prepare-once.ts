import { BlobServiceClient } from '@azure/storage-blob';
import { prepareSegment } from '../shared/pipeline/prepare/prepare.js';

/**
 * Child process of the memory benchmark: prepares one segment file already in Azurite and
 * prints its counts, time and the process's peak RSS. A process of its own, so the peak
 * belongs to this file alone.
 * argv: <connectionString> <blobName> <recordsPerWorkFile>
 */
async function main() {
  const [connectionString, blobName, perFile] = process.argv.slice(2);
  if (!connectionString || !blobName || !perFile) throw new Error('usage: prepare-once <connectionString> <blobName> <recordsPerWorkFile>');
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await prepareSegment(
    { segments: blobs.getContainerClient('segments'), work: blobs.getContainerClient('work'), reports: blobs.getContainerClient('reports') },
    {
      runId: `memory-${process.pid}`,
      segmentIndex: 0,
      segment: blobName.split('/')[0]!,
      blobName,
      dataMatching: { email: 'email_address', firstName: 'first_name', lastName: 'last_name' },
      recordsPerWorkFile: Number(perFile),
    },
  );
  const seconds = (performance.now() - started) / 1000;
  // CPU time of this process (all its threads: gunzip runs on the thread pool): on a shared
  // machine it moves less with other load than the wall time does.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // maxRSS is the kernel's high-water mark for this process, in KiB.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ read: result.read, valid: result.valid, invalid: result.invalid, duplicate: result.duplicate, workFiles: result.workFiles.length, seconds, cpuSeconds, peakRssMb }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
