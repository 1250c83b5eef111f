import Module from 'node:module';

/**
 * The seam the real Functions host uses: `@azure/functions` registers every function by
 * calling `registerFunction(metadata, handler)` on the `@azure/functions-core` module that
 * the Node worker injects. Outside the host that module does not exist, so we provide it.
 * The app's registrations run unchanged; we only capture what they register.
 */

/** Binding metadata exactly as `@azure/functions` hands it to the worker. */
export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out';
  name?: string;
  [property: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
}

export type RegisteredHandler = (...args: any[]) => unknown;

export interface RegisteredFunction {
  name: string;
  metadata: FunctionMetadata;
  /** The binding whose type ends in `Trigger`. */
  trigger: BindingMetadata;
  handler: RegisteredHandler;
}

export class FunctionRegistry {
  readonly functions = new Map<string, RegisteredFunction>();

  register(metadata: FunctionMetadata, handler: RegisteredHandler): void {
    const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in' && /trigger$/i.test(b.type));
    if (!trigger) throw new Error(`function ${metadata.name} has no trigger binding`);
    if (this.functions.has(metadata.name)) throw new Error(`function ${metadata.name} is registered twice`);
    this.functions.set(metadata.name, { name: metadata.name, metadata, trigger, handler });
  }

  get(name: string): RegisteredFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function named ${name}; registered: ${[...this.functions.keys()].join(', ')}`);
    return fn;
  }

  byTrigger(type: string): RegisteredFunction[] {
    return [...this.functions.values()].filter((f) => f.trigger.type === type);
  }
}

const CORE_MODULE = '@azure/functions-core';
const state = globalThis as typeof globalThis & {
  __segmentExportRegistry?: FunctionRegistry;
  __coreShimInstalled?: boolean;
  __programmingModel?: ProgrammingModel;
};

/** What `@azure/functions` hands the worker to turn each invocation's RPC data into handler arguments. */
export interface ProgrammingModel {
  getInvocationModel(context: unknown): { getArguments(): Promise<{ inputs: unknown[]; context: unknown }> };
}

/** The programming model `@azure/functions` registered (it does on its first registration), for tests that check the worker's own conversions. */
export function registeredProgrammingModel(): ProgrammingModel | undefined {
  return state.__programmingModel;
}

function coreApi() {
  return {
    version: 'segment-export-local',
    hostVersion: '4.0.0-local',
    setProgrammingModel: (model: ProgrammingModel) => {
      state.__programmingModel = model;
    },
    getProgrammingModel: () => undefined,
    registerFunction(metadata: FunctionMetadata, handler: RegisteredHandler) {
      if (!state.__segmentExportRegistry) throw new Error('no function registry is active');
      state.__segmentExportRegistry.register(metadata, handler);
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
  };
}

/** Makes `require('@azure/functions-core')` resolve to our registry, once per process. */
function installCoreApi(): void {
  if (state.__coreShimInstalled) return;
  const api = coreApi();
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? api : originalLoad.call(this, request, ...rest);
  };
  state.__coreShimInstalled = true;
}

/**
 * Loads the app's registrations (by default `functions/index.ts`) and returns what they
 * registered. Used by the local host, the end-to-end tests and the benchmark alike.
 */
export async function loadFunctionApp(load: () => Promise<unknown> = () => import('../../functions/index.js')): Promise<FunctionRegistry> {
  installCoreApi();
  const registry = new FunctionRegistry();
  state.__segmentExportRegistry = registry;
  await load();
  if (registry.functions.size === 0) {
    // `@azure/functions` looks for the host once and remembers; a module that registered
    // before this seam was installed (imported statically elsewhere) went nowhere.
    console.warn(
      'loadFunctionApp: the app registered no functions. If its module was imported before loadFunctionApp ran, ' +
        'its registrations were lost; import it only through loadFunctionApp (or dynamically after it).',
    );
  }
  return registry;
}
