import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClientWithTimeout, isStorageUnavailable } from './request-timeout.js';

/** A server that accepts connections and never answers, like a frozen storage emulator. */
let silent: http.Server;
let url: string;
beforeAll(async () => {
  silent = http.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/devstoreaccount1/Tables`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

describe('httpClientWithTimeout', () => {
  it('ends a try that gets no answer with a retriable ETIMEDOUT RestError', async () => {
    const started = Date.now();
    const error = await httpClientWithTimeout(300)
      .sendRequest(createPipelineRequest({ url, allowInsecureConnection: true }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(isStorageUnavailable(error)).toBe(true);
  });

  it("leaves the caller's own abort an AbortError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await httpClientWithTimeout(5_000)
      .sendRequest(createPipelineRequest({ url, allowInsecureConnection: true, abortSignal: controller.signal }))
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(isStorageUnavailable(error)).toBe(false);
  });
});

describe('isStorageUnavailable', () => {
  it('is true for 500, 503 and dropped connections, false for answers about the request', () => {
    expect(isStorageUnavailable(new RestError('busy', { statusCode: 503, code: 'ServerBusy' }))).toBe(true);
    expect(isStorageUnavailable(new RestError('internal', { statusCode: 500 }))).toBe(true);
    expect(isStorageUnavailable(new RestError('reset', { code: 'ECONNRESET' }))).toBe(true);
    expect(isStorageUnavailable(new RestError('missing', { statusCode: 404, code: 'ResourceNotFound' }))).toBe(false);
    expect(isStorageUnavailable(new RestError('changed', { statusCode: 412 }))).toBe(false);
    expect(isStorageUnavailable(new Error('ECONNRESET'))).toBe(false);
  });
});
