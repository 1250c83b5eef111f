import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import {
  InvocationContext,
  type EffectiveFunctionOptions,
  type FunctionInput,
  type FunctionOutput,
  type FunctionTrigger,
  type LogLevel,
  type TriggerMetadata,
} from '@azure/functions';
import type { BindingMetadata, FunctionRegistry, RegisteredFunction } from './registry.js';

/** What a function logged through its InvocationContext. */
export interface LogEntry {
  level: LogLevel;
  functionName: string;
  invocationId: string;
  message: string;
  time: Date;
}

export type LogSink = (entry: LogEntry) => void;

/** Anything that can supply the value of a `durableClient` input binding (the durable driver). */
export interface DurableClientSource {
  clientBinding(): unknown;
}

export interface InvokeOptions {
  /** Supplies `df.input.durableClient()` extra inputs. */
  durable?: DurableClientSource;
  /** The host's trigger metadata (blob path names, `blobTrigger`, `uri`, `properties`...). */
  triggerMetadata?: TriggerMetadata;
  /** Values for other extra inputs, by binding name. */
  extraInputs?: Record<string, unknown>;
  invocationId?: string;
  /** Where `context.log` and friends go; default: the console, prefixed with the function name. */
  log?: LogSink;
}

export interface InvocationResult<T = unknown> {
  /** What the handler returned (the `$return` binding). */
  result: T;
  /** Values the handler set with `context.extraOutputs.set`, by binding name. */
  extraOutputs: Record<string, unknown>;
  context: InvocationContext;
}

const RETURN_BINDING = '$return';
const DURABLE_CLIENT_TYPES = new Set(['durableClient', 'orchestrationClient']);

/** The binding metadata turned back into the options a handler sees in `context.options`. */
export function effectiveOptions(fn: RegisteredFunction): EffectiveFunctionOptions {
  let trigger: FunctionTrigger | undefined;
  let returnBinding: FunctionOutput | undefined;
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    const named = { ...binding, name } as BindingMetadata & { name: string };
    if (binding === fn.trigger) trigger = named as FunctionTrigger;
    else if (name === RETURN_BINDING) returnBinding = named as FunctionOutput;
    else if (binding.direction === 'in') extraInputs.push(named as FunctionInput);
    else extraOutputs.push(named as FunctionOutput);
  }
  return { trigger: trigger!, return: returnBinding, extraInputs, extraOutputs };
}

export function consoleLogSink(entry: LogEntry): void {
  const line = `[${entry.time.toISOString()}] ${entry.functionName}: ${entry.message}`;
  if (entry.level === 'error') console.error(line);
  else if (entry.level === 'warning') console.warn(line);
  else if (entry.level !== 'trace' && entry.level !== 'debug') console.log(line);
}

/**
 * Invokes a registered function the way the Functions host does: a fresh InvocationContext
 * carrying the binding metadata, the trigger metadata and the extra inputs, then the handler
 * with `(triggerInput, context)`. The local host, the durable driver, the tests and the
 * benchmark all call functions through here.
 */
export async function invokeFunction<T = unknown>(
  registry: FunctionRegistry,
  name: string,
  triggerInput: unknown,
  options: InvokeOptions = {},
): Promise<InvocationResult<T>> {
  const fn = registry.get(name);
  const invocationId = options.invocationId ?? randomUUID();
  const sink = options.log ?? consoleLogSink;
  const contextOptions = effectiveOptions(fn);
  const context = new InvocationContext({
    invocationId,
    functionName: fn.name,
    triggerMetadata: options.triggerMetadata,
    options: contextOptions,
    logHandler: (level, ...args) => sink({ level, functionName: fn.name, invocationId, message: format(...args), time: new Date() }),
  });
  for (const input of contextOptions.extraInputs) {
    context.extraInputs.set(input.name, extraInputValue(fn, input, options));
  }
  const result = (await fn.handler(triggerInput, context)) as T;
  const extraOutputs: Record<string, unknown> = {};
  for (const output of contextOptions.extraOutputs) {
    const value = context.extraOutputs.get(output.name);
    if (value !== undefined) extraOutputs[output.name] = value;
  }
  return { result, extraOutputs, context };
}

function extraInputValue(fn: RegisteredFunction, input: FunctionInput, options: InvokeOptions): unknown {
  if (options.extraInputs && input.name in options.extraInputs) return options.extraInputs[input.name];
  if (DURABLE_CLIENT_TYPES.has(input.type)) {
    if (!options.durable) throw new Error(`function ${fn.name} has a durable client input but no durable driver was given to invoke it`);
    return options.durable.clientBinding();
  }
  throw new Error(`function ${fn.name}: the local host cannot supply an input binding of type '${input.type}' (${input.name})`);
}
