// The bulk runner: tasks spread over worker threads (or run in this thread when one job is
// asked for, or there is one task), results handed back as they come with their task index.
// The per-task work lives in a handler module that each worker imports once (the CLI's is
// src/cli/job.ts: read, fix and write one file), so workers load the transforms once each.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceLimits, Worker as WorkerThread } from 'node:worker_threads';
import { workerThreads } from '../on-demand.js';
import { compiled, packageRoot } from '../paths.js';

export type TaskHandler<T, R> = (task: T) => R;

export interface RunOptions<T, R, D> {
  tasks: readonly T[];
  /** Worker threads to use; 1 runs in this thread. Default: available cores (the CLI passes {@link defaultJobs}). */
  jobs?: number | undefined;
  /** The handler module, relative to the package (e.g. 'src/cli/job'): it must export
   *  `createHandler(data: D): Promise<TaskHandler<T, R>>`. */
  handlerModule: string;
  handlerData: D;
  /** Called once per task, in completion order. */
  onResult: (index: number, result: R) => void;
  /** The result for a task whose worker died under it. */
  onCrash: (task: T, message: string) => R;
  /** Stop handing out tasks; tasks already started finish. */
  stop?: AbortSignal | undefined;
  /** Terminate the workers at once; tasks in flight are returned as `interrupted`. */
  kill?: AbortSignal | undefined;
  /** Heap limits of each worker (default WORKER_LIMITS). */
  workerLimits?: ResourceLimits | undefined;
}

/**
 * Each worker's heap is capped so a run's memory stays flat whatever the job count: V8 otherwise
 * lets every isolate's heap grow well past what it keeps alive (measured on the corpus: about
 * 390 MB peak with two uncapped workers, 240 MB with these limits, for the same CPU time).
 * A task whose worker runs out of memory all the same is run again in the main thread, which
 * has no cap, so a huge template is slow rather than lost.
 */
export const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 24 };

export interface RunSummary<T> {
  completed: number;
  /** True when stopped or killed before every task ran. */
  aborted: boolean;
  /** Tasks in flight when the run was killed (their files may hold a temporary file). */
  interrupted: T[];
  /** Workers used (0: ran in this thread). */
  workers: number;
}

/**
 * Bytes of templates a worker must get to pay for its warm-up. Each worker thread is a V8 isolate
 * that loads and compiles tapfix again: about 3 s of CPU before it runs at full speed, while one
 * warm thread fixes about 1.4 MB of templates a second (measured on ../shared/corpus, see
 * docs/bulk.md). A worker is started only for at least twice the work its warm-up costs.
 */
export const MIN_BYTES_PER_WORKER = 8_000_000;

/**
 * Cores one busy thread keeps busy: V8 compiles hot code and collects garbage on helper threads,
 * so one thread alone already uses about 1.35 cores.
 */
const CORES_PER_THREAD = 1.5;

/**
 * The worker count when --jobs is not given, from the cores and the work (file count and bytes):
 * one thread (no worker) unless the cores leave room for at least two busy threads and the work
 * gives each at least MIN_BYTES_PER_WORKER. So the default is never slower than --jobs 1: on two
 * cores it is --jobs 1, and elsewhere workers start only for work that repays their warm-up.
 */
export function defaultJobs(work: { files: number; bytes: number }, cores = availableParallelism()): number {
  const byCores = Math.floor(cores / CORES_PER_THREAD);
  const byWork = Math.floor(work.bytes / MIN_BYTES_PER_WORKER);
  const jobs = Math.min(byCores, byWork, work.files);
  return jobs >= 2 ? jobs : 1;
}

/** Where a module of ours is as compiled JavaScript (workers cannot load TypeScript sources).
 *  An absolute path to a .js/.mjs file is taken as it is. */
export function compiledModule(module: string): string | undefined {
  if (isAbsolute(module) && /\.m?js$/.test(module)) return existsSync(module) ? module : undefined;
  // From dist/ (the bundle, dist/cli.cjs, included): the compiled module file, never a bundled copy.
  const file = join(packageRoot, 'dist', `${module}.js`);
  return existsSync(file) ? file : undefined;
}

/** `src/engine/worker.js`, when it exists compiled (running from source needs `npm run build`). */
function workerScript(): string | undefined {
  return compiledModule('src/engine/worker');
}

type HandlerFactory = (data: never) => Promise<TaskHandler<never, unknown>>;
const bundledHandlers = new Map<string, HandlerFactory>();

/**
 * A handler module the bundle (dist/cli.cjs) holds: this thread uses it instead of importing the
 * module file, which would load a second copy of everything. Workers import the module files.
 */
export function provideHandler<T, R, D>(module: string, createHandler: (data: D) => Promise<TaskHandler<T, R>>): void {
  bundledHandlers.set(module, createHandler as unknown as HandlerFactory);
}

/** The handler module for this thread: the source file when running from source. */
async function loadHandler<T, R, D>(module: string, data: D): Promise<TaskHandler<T, R>> {
  const bundled = bundledHandlers.get(module) as unknown as ((data: D) => Promise<TaskHandler<T, R>>) | undefined;
  if (bundled) return bundled(data);
  const url =
    isAbsolute(module) && /\.m?js$/.test(module)
      ? pathToFileURL(module).href
      : compiled
        ? pathToFileURL(join(packageRoot, 'dist', `${module}.js`)).href
        : pathToFileURL(join(packageRoot, `${module}.ts`)).href;
  const mod = (await import(url)) as { createHandler(data: D): Promise<TaskHandler<T, R>> };
  return mod.createHandler(data);
}

const yieldToEventLoop = () => new Promise<void>((done) => setImmediate(done));

export async function runTasks<T, R, D>(options: RunOptions<T, R, D>): Promise<RunSummary<T>> {
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), options.tasks.length));
  const script = jobs > 1 ? workerScript() : undefined;
  const handlerFile = jobs > 1 ? compiledModule(options.handlerModule) : undefined;
  if (jobs <= 1 || !script || !handlerFile) return runHere(options);
  return runInWorkers(options, jobs, script, handlerFile);
}

async function runHere<T, R, D>(options: RunOptions<T, R, D>): Promise<RunSummary<T>> {
  const handler = await loadHandler<T, R, D>(options.handlerModule, options.handlerData);
  let completed = 0;
  let lastYield = performance.now();
  for (let index = 0; index < options.tasks.length; index++) {
    if (options.stop?.aborted || options.kill?.aborted) break;
    options.onResult(index, handler(options.tasks[index]!));
    completed++;
    // Let signals and progress output through now and then; each task is atomic.
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  return { completed, aborted: completed < options.tasks.length, interrupted: [], workers: 0 };
}

type ToWorker<T> = { type: 'task'; index: number; task: T };
type FromWorker<R> = { type: 'ready' } | { type: 'result'; index: number; result: R } | { type: 'fatal'; message: string };

/** Tasks each worker holds at once: one running, one waiting, so it never idles on a round trip. */
const IN_FLIGHT = 2;
const MAX_RESPAWNS = 8;

function runInWorkers<T, R, D>(options: RunOptions<T, R, D>, jobs: number, script: string, handlerFile: string): Promise<RunSummary<T>> {
  const { tasks } = options;
  return new Promise((resolveRun, rejectRun) => {
    let next = 0;
    let completed = 0;
    let respawns = 0;
    let finished = false;
    let pendingRetries = 0;
    let here: TaskHandler<T, R> | undefined;
    const live = new Set<Slot>();

    interface Slot {
      worker: WorkerThread;
      inFlight: Map<number, T>;
      ready: boolean;
    }

    const finish = (aborted: boolean, interrupted: T[] = []) => {
      if (finished) return;
      finished = true;
      options.stop?.removeEventListener('abort', onStop);
      options.kill?.removeEventListener('abort', onKill);
      for (const slot of live) void slot.worker.terminate();
      resolveRun({ completed, aborted, interrupted, workers: jobs });
    };

    const stopping = () => !!options.stop?.aborted || !!options.kill?.aborted;

    const settleIfDone = () => {
      const busy = pendingRetries > 0 || [...live].some((s) => s.inFlight.size > 0);
      if (busy) return;
      if (!remaining() || stopping()) finish(completed < tasks.length);
    };

    /** Tasks handed back by a worker that died before starting them. */
    const requeued: number[] = [];
    const remaining = () => requeued.length > 0 || next < tasks.length;
    const feed = (slot: Slot) => {
      while (slot.ready && slot.inFlight.size < IN_FLIGHT && remaining() && !stopping()) {
        const index = requeued.length ? requeued.shift()! : next++;
        slot.inFlight.set(index, tasks[index]!);
        slot.worker.postMessage({ type: 'task', index, task: tasks[index]! } satisfies ToWorker<T>);
      }
    };

    const spawn = () => {
      const worker = new (workerThreads().Worker)(script, {
        workerData: { handlerFile, handlerData: options.handlerData },
        resourceLimits: options.workerLimits ?? WORKER_LIMITS,
      });
      const slot: Slot = { worker, inFlight: new Map(), ready: false };
      live.add(slot);
      worker.on('message', (message: FromWorker<R>) => {
        if (finished) return;
        if (message.type === 'ready') {
          slot.ready = true;
          feed(slot);
        } else if (message.type === 'result') {
          slot.inFlight.delete(message.index);
          completed++;
          options.onResult(message.index, message.result);
          feed(slot);
          settleIfDone();
        } else {
          finished = true;
          for (const s of live) void s.worker.terminate();
          rejectRun(new Error(message.message));
        }
      });
      const lost = async (why: string, outOfMemory: boolean) => {
        if (finished || !live.has(slot)) return;
        live.delete(slot);
        // A worker runs its tasks in order: the oldest one in flight is the one it died on; the
        // others never started and go to another worker.
        const [culprit, ...unstarted] = [...slot.inFlight];
        slot.inFlight.clear();
        requeued.unshift(...unstarted.map(([index]) => index));
        if (culprit) {
          const [index, task] = culprit;
          let result: R;
          pendingRetries++;
          if (outOfMemory && !stopping()) {
            // Out of memory under the worker's cap: this thread has none.
            try {
              here ??= await loadHandler<T, R, D>(options.handlerModule, options.handlerData);
              result = here(task);
            } catch (error) {
              result = options.onCrash(task, `${why}; again in the main thread: ${(error as Error).message}`);
            }
          } else {
            result = options.onCrash(task, why);
          }
          pendingRetries--;
          if (finished) return;
          completed++;
          options.onResult(index, result);
        }
        if (remaining() && !stopping()) {
          if (respawns++ < MAX_RESPAWNS) spawn();
          else if (live.size === 0) {
            // Workers keep dying: give up on the rest, each reported, none silently dropped.
            while (remaining()) {
              const index = requeued.length ? requeued.shift()! : next++;
              completed++;
              options.onResult(index, options.onCrash(tasks[index]!, `not processed: workers keep failing (${why})`));
            }
          }
        }
        for (const other of live) feed(other);
        settleIfDone();
      };
      worker.on('error', (error) => {
        const oom = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        void lost(`internal error: worker ${oom ? 'ran out of memory' : `failed: ${error.message}`}`, oom);
      });
      worker.on('exit', (code) => void lost(`internal error: worker exited with code ${code}`, false));
    };

    const onStop = () => settleIfDone();
    const onKill = () => {
      const interrupted = [...live].flatMap((s) => [...s.inFlight.values()]);
      finish(true, interrupted);
    };
    options.stop?.addEventListener('abort', onStop);
    options.kill?.addEventListener('abort', onKill);
    for (let i = 0; i < jobs; i++) spawn();
  });
}

/** Hands results to `emit` in task order, holding early ones back until the gap fills. */
export function inOrder<R>(emit: (index: number, result: R) => void): (index: number, result: R) => void {
  const held = new Map<number, R>();
  let nextIndex = 0;
  return (index, result) => {
    held.set(index, result);
    while (held.has(nextIndex)) {
      const r = held.get(nextIndex)!;
      held.delete(nextIndex);
      emit(nextIndex++, r);
    }
  };
}
