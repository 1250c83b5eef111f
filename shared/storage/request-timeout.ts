import { createDefaultHttpClient, isRestError, RestError, type HttpClient } from '@azure/core-rest-pipeline';

/**
 * How long one try of a storage (or Key Vault) request may wait for the answer's headers.
 * The Azure SDKs wait forever by default: a storage account that stops answering (a
 * failover, a frozen emulator) would hold an API request or an activity until the host's
 * functionTimeout. `retryOptions.tryTimeoutInMs` does not help here: the storage SDK only
 * passes it to the service as its server-side `timeout`, which a service that does not
 * answer cannot honour.
 */
export const STORAGE_TRY_TIMEOUT_MS = 10_000;

/** The code a try that timed out carries: one the SDKs' retry policies retry (like a dropped connection). */
export const TIMED_OUT = 'ETIMEDOUT';

/**
 * The SDKs' own HTTP client with a deadline on every try. A try that runs out becomes a
 * RestError with code ETIMEDOUT, which the storage and core retry policies retry with their
 * backoff; a caller's own abort stays an AbortError, not retried.
 */
export function httpClientWithTimeout(timeoutMs = STORAGE_TRY_TIMEOUT_MS, inner: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    async sendRequest(request) {
      if (!request.timeout || request.timeout > timeoutMs) request.timeout = timeoutMs;
      try {
        return await inner.sendRequest(request);
      } catch (error) {
        const timedOut = !isRestError(error) && (error as Error)?.name === 'AbortError' && !request.abortSignal?.aborted;
        if (!timedOut) throw error;
        throw new RestError(`no answer within ${request.timeout} ms`, { code: TIMED_OUT, request });
      }
    },
  };
}

const UNAVAILABLE_CODES = new Set([TIMED_OUT, 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'REQUEST_SEND_ERROR']);

/**
 * Storage that is down, throttling or too slow (after the SDK's retries): 500, 503, a
 * timeout or a dropped connection. The API answers these with 503, not 500: the request
 * was fine and can be sent again.
 */
export function isStorageUnavailable(error: unknown): boolean {
  if (!isRestError(error)) return false;
  if (error.statusCode === 500 || error.statusCode === 503) return true;
  return error.statusCode === undefined && error.code !== undefined && UNAVAILABLE_CODES.has(error.code);
}
