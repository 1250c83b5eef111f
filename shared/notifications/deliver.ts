import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { request } from 'undici';
import type { WebhookMessage } from './payloads.js';

export interface DeliveryOptions {
  /** Attempts in all (first try included); default 4. */
  attempts?: number;
  /** First backoff delay; doubles (with jitter) up to `maxDelayMs`. Default 1 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** Last HTTP status; undefined when no answer came (network error, timeout). */
  status?: number;
  /** Why it failed, without the URL (a secret). */
  error?: string;
}

/** An answer worth trying again: the receiver is busy or broken for now. */
class TransientDeliveryError extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
  }
}

const transient = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * POSTs a message to a webhook, retried with exponential backoff on 408, 429, 5xx and
 * network errors (a 4xx other than those will not get better). Never throws: the caller
 * (the end of a run) must not fail because a chat channel is down.
 */
export async function deliverWebhook(url: string, message: WebhookMessage, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const attempts = options.attempts ?? 4;
  const policy = retry(
    handleWhen((error) => error instanceof TransientDeliveryError),
    {
      maxAttempts: attempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 1_000, maxDelay: options.maxDelayMs ?? 30_000 }),
    },
  );
  let tried = 0;
  let lastStatus: number | undefined;
  try {
    await policy.execute(async () => {
      tried++;
      let status: number;
      try {
        const response = await request(url, {
          method: 'POST',
          body: message.body,
          headers: message.headers,
          headersTimeout: options.timeoutMs ?? 10_000,
          bodyTimeout: options.timeoutMs ?? 10_000,
        });
        status = response.statusCode;
        await response.body.dump();
      } catch (error) {
        lastStatus = undefined;
        throw new TransientDeliveryError(undefined, `no answer: ${(error as Error).name}${(error as { code?: string }).code ? ` ${(error as { code?: string }).code}` : ''}`);
      }
      lastStatus = status;
      if (status >= 200 && status < 300) return;
      if (transient(status)) throw new TransientDeliveryError(status, `answered ${status}`);
      throw new Error(`answered ${status}`);
    });
    return { ok: true, attempts: tried, ...(lastStatus !== undefined ? { status: lastStatus } : {}) };
  } catch (error) {
    return { ok: false, attempts: tried, ...(lastStatus !== undefined ? { status: lastStatus } : {}), error: (error as Error).message };
  }
}
