/**
 * Runs a band image in QuickJS (quickjs-emscripten), with the host's Hal bound as the
 * guest global `hal` (docs/FIRMWARE-IMAGE.md "Engine contract").
 *
 * Marshalling: bytes cross as ArrayBuffers (newArrayBuffer / getArrayBuffer copy them
 * in one go, no per-byte handles); a small ES5 prelude inside the guest turns them into
 * fresh Uint8Arrays and back, and checks argument types. Guest callbacks (onWrite,
 * setTimer, …) are kept as dup'd handles and called later with callFunction.
 *
 * Faults: every guest event (boot, a timer, a radio write, a status call) runs under an
 * interrupt budget, the band's watchdog. An exception or a watchdog stop never reaches
 * the host's stack: it is recorded and passed to `onFault`, so the simulator can reset.
 */
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule, type VmCallResult } from 'quickjs-emscripten';
import type { Hal } from '../../firmware/hal.ts';
import { HAL_METHODS, HAL_PROPS, PRELUDE, type Kind, type Sig } from './quickjs-hal-bridge.ts';

/** Carries a timer callback from argument conversion to the id the host returns. */
interface TimerCell {
  key: string;
  handle?: QuickJSHandle;
}

export type FaultKind = 'exception' | 'watchdog';

/** A guest failure: an uncaught exception in an event, or a watchdog stop. */
export class GuestFault extends Error {
  constructor(readonly kind: FaultKind, readonly where: string, message: string, readonly guestStack?: string) {
    super(`${kind} in ${where}: ${message}`);
    this.name = 'GuestFault';
  }
}

export interface QuickJSBandOptions {
  /** Watchdog: interrupt polls allowed per guest event (QuickJS polls about every 10k ops). Default 3000. */
  interruptBudget?: number;
  /** Called for every guest fault; never called re-entrantly with a throw reaching the guest. */
  onFault?: (fault: GuestFault) => void;
  /** The QuickJS module; default: the one loadQuickJS() loaded. */
  module?: QuickJSWASMModule;
  /** Script name in guest stack traces. */
  filename?: string;
  /** JSON-able overrides of firmware/config.ts, bound as the guest global `wristpayConfig`. */
  config?: unknown;
}

export interface QuickJSBand {
  /** True when the image evaluated without a fault. */
  readonly booted: boolean;
  readonly faults: readonly GuestFault[];
  readonly disposed: boolean;
  /** `wristpay.status()` (a JSON string); throws a GuestFault if the guest fails. */
  evalStatus(): string;
  /** Bytes in use in the guest heap (dumpMemoryUsage's "memory used"). */
  memoryUsed(): number;
  /** memoryUsed() just before the image ran (engine + HAL bridge): subtract for the firmware's share. */
  readonly memoryBaseline: number;
  /** Interrupt-handler polls while guest code ran, since boot (about one per 10k guest operations): a CPU measure. */
  readonly interruptPolls: number;
  /** Evaluates `code` in the guest and returns its value dumped to the host (debugging). */
  debugEval(code: string): unknown;
  dispose(): void;
}

export const DEFAULT_INTERRUPT_BUDGET = 3000;
const MAX_FAULTS_KEPT = 100;
let loaded: QuickJSWASMModule | undefined;

/** Loads the QuickJS WebAssembly module once; await it before bootInQuickJS. */
export async function loadQuickJS(): Promise<QuickJSWASMModule> {
  loaded ??= await getQuickJS();
  return loaded;
}

/** Evaluates the image with `hal` bound; the image boots itself. Faults are reported, not thrown. */
export function bootInQuickJS(code: string, hal: Hal, opts: QuickJSBandOptions = {}): QuickJSBand {
  const module = opts.module ?? loaded;
  if (!module) throw new Error('bootInQuickJS: call `await loadQuickJS()` first (or pass opts.module)');
  return new Band(module, code, hal, opts);
}

class Band implements QuickJSBand {
  booted = false;
  disposed = false;
  readonly memoryBaseline: number;
  interruptPolls = 0;
  readonly faults: GuestFault[] = [];
  private readonly rt: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private readonly budget: number;
  /** Live guest callbacks: "radio.onWrite" (replaced on re-registration) or "timer:<id>". */
  private readonly callbacks = new Map<string, QuickJSHandle>();
  /** Dropped callback handles waiting to be freed at depth 0 (see dropCallback). */
  private readonly graveyard: QuickJSHandle[] = [];
  private depth = 0;
  private polls = 0;
  private interrupted = false;
  private disposeWhenIdle = false;

  constructor(module: QuickJSWASMModule, code: string, private readonly hal: Hal, private readonly opts: QuickJSBandOptions) {
    this.budget = opts.interruptBudget ?? DEFAULT_INTERRUPT_BUDGET;
    this.rt = module.newRuntime();
    this.ctx = this.rt.newContext();
    this.rt.setInterruptHandler(() => {
      if (this.depth === 0) return false;
      this.interruptPolls++;
      if (++this.polls > this.budget) this.interrupted = true;
      return this.interrupted;
    });
    this.installHal();
    if (opts.config !== undefined) {
      const config = this.ctx.unwrapResult(this.ctx.evalCode(`(${JSON.stringify(opts.config)})`, 'config.js'));
      this.ctx.setProp(this.ctx.global, 'wristpayConfig', config);
      config.dispose();
    }
    this.memoryBaseline = this.memoryUsed();
    this.booted = this.run('boot', () => this.ctx.evalCode(code, opts.filename ?? 'band.js')).ok;
  }

  evalStatus(): string {
    const { value } = this.run('status', () => this.ctx.evalCode('wristpay.status()', 'status.js'), true);
    if (typeof value !== 'string') throw new GuestFault('exception', 'status', `wristpay.status() returned ${typeof value}`);
    return value;
  }

  debugEval(code: string): unknown {
    return this.run('debugEval', () => this.ctx.evalCode(code, 'debug.js'), true).value;
  }

  memoryUsed(): number {
    const m = /memory used\s+\d+\s+(\d+)/.exec(this.rt.dumpMemoryUsage());
    if (!m) throw new Error('QuickJS memory dump has no "memory used" line');
    return Number(m[1]);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.depth > 0) {
      this.disposeWhenIdle = true; // called from inside a guest event: finish it first
      return;
    }
    this.disposed = true;
    for (const [key, handle] of this.callbacks) {
      if (key.startsWith('timer:')) this.hal.clock.cancelTimer(Number(key.slice(6)));
      this.graveyard.push(handle);
    }
    this.callbacks.clear();
    this.buryDead();
    this.ctx.dispose();
    this.rt.dispose();
  }

  /** Builds the raw host functions and the guest `hal` object from HAL_METHODS. */
  private installHal(): void {
    const { ctx } = this;
    const raw = ctx.newObject();
    for (const [group, methods] of Object.entries(HAL_METHODS)) {
      for (const [method, sig] of Object.entries(methods as Record<string, Sig>)) {
        const fn = ctx.newFunction(`${group}.${method}`, (...args) => this.hostCall(group, method, sig, args));
        ctx.setProp(raw, `${group}.${method}`, fn);
        fn.dispose();
      }
    }
    const props: Record<string, Record<string, number>> = {};
    for (const [group, names] of Object.entries(HAL_PROPS)) {
      const source = this.hal[group as keyof Hal] as unknown as Record<string, number>;
      props[group] = Object.fromEntries((names as readonly string[]).map((n) => [n, source[n]]));
    }
    const build = ctx.unwrapResult(ctx.evalCode(PRELUDE, 'hal-prelude.js'));
    const specHandle = ctx.unwrapResult(ctx.evalCode(`(${JSON.stringify(HAL_METHODS)})`));
    const propsHandle = ctx.unwrapResult(ctx.evalCode(`(${JSON.stringify(props)})`));
    const halHandle = ctx.unwrapResult(ctx.callFunction(build, ctx.undefined, raw, specHandle, propsHandle));
    ctx.setProp(ctx.global, 'hal', halHandle);
    for (const h of [halHandle, propsHandle, specHandle, build, raw]) h.dispose();
  }

  /** One guest → host Hal call; host exceptions become guest exceptions. */
  private hostCall(group: string, method: string, sig: Sig, args: QuickJSHandle[]): QuickJSHandle | VmCallResult<QuickJSHandle> | undefined {
    const { ctx } = this;
    const timer: TimerCell = { key: '' };
    try {
      const hostArgs = sig[0].map((kind, i) => this.fromGuest(kind, args[i], `${group}.${method}`, timer));
      const target = this.hal[group as keyof Hal] as unknown as Record<string, (...a: unknown[]) => unknown>;
      const result = target[method].apply(target, hostArgs);
      if (timer.handle) {
        timer.key = `timer:${result as number}`;
        this.callbacks.set(timer.key, timer.handle);
        timer.handle = undefined;
      } else if (method === 'cancelTimer') {
        this.dropCallback(`timer:${hostArgs[0] as number}`);
      }
      return this.toGuest(sig[1], result);
    } catch (err) {
      if (timer.handle) this.graveyard.push(timer.handle); // the host refused the timer
      const e = err instanceof Error ? err : new Error(String(err));
      return { error: ctx.newError({ name: e.name || 'Error', message: `hal.${group}.${method}: ${e.message}` }) };
    }
  }

  private fromGuest(kind: Kind, h: QuickJSHandle | undefined, what: string, timer: TimerCell): unknown {
    const { ctx } = this;
    const type = h ? ctx.typeof(h) : 'undefined';
    switch (kind) {
      case 'n':
        if (type !== 'number') throw new TypeError(`expected a number, got ${type}`);
        return ctx.getNumber(h!);
      case 's':
        if (type !== 'string') throw new TypeError(`expected a string, got ${type}`);
        return ctx.getString(h!);
      case 'y': {
        const view = ctx.getArrayBuffer(h!); // the prelude guarantees an ArrayBuffer
        try {
          return view.value.slice(); // copy out of the wasm heap before it is freed
        } finally {
          view.dispose();
        }
      }
      case 'S': {
        const lines = ctx.dump(h!) as unknown;
        if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string')) throw new TypeError('expected an array of strings');
        return lines;
      }
      case 'timer': {
        const handle = h!.dup();
        timer.handle = handle;
        return () => {
          if (this.callbacks.get(timer.key) !== handle) return; // cancelled, or the band is gone
          this.invoke('timer', handle, () => []);
          if (this.callbacks.get(timer.key) === handle) this.dropCallback(timer.key); // one-shot
        };
      }
      default: {
        // Registration callbacks: one listener per hook, as the Hal documents.
        const handle = h!.dup();
        this.dropCallback(what);
        this.callbacks.set(what, handle);
        return (arg?: unknown) => {
          if (this.callbacks.get(what) === handle) this.invoke(what, handle, () => this.callbackArgs(kind, arg));
        };
      }
    }
  }

  private callbackArgs(kind: Kind, arg: unknown): QuickJSHandle[] {
    const { ctx } = this;
    if (kind === 'fn') return [ctx.newNumber(Number(arg))];
    if (kind === 'fb') return [arg ? ctx.true : ctx.false];
    if (kind === 'fy') return [ctx.newArrayBuffer((arg as Uint8Array).slice().buffer)];
    return [];
  }

  private toGuest(kind: Kind, v: unknown): QuickJSHandle | undefined {
    const { ctx } = this;
    if (kind === 'n') return ctx.newNumber(v as number);
    if (kind === 'b') return v ? ctx.true : ctx.false;
    if (kind === 'y' || kind === 'y?') return v == null ? ctx.null : ctx.newArrayBuffer((v as Uint8Array).slice().buffer);
    return undefined;
  }

  /**
   * Forgets a callback. Its handle is freed only when no guest code runs: the guest may
   * be cancelling or replacing the very function that is executing.
   */
  private dropCallback(key: string): void {
    const old = this.callbacks.get(key);
    this.callbacks.delete(key);
    if (old) this.graveyard.push(old);
    if (this.depth === 0) this.buryDead();
  }

  private buryDead(): void {
    for (const h of this.graveyard.splice(0)) if (h.alive) h.dispose();
  }

  /** A host → guest event: calls a guest callback under the watchdog. */
  private invoke(where: string, fn: QuickJSHandle, makeArgs: () => QuickJSHandle[]): void {
    if (this.disposed) return;
    this.run(where, () => {
      const args = makeArgs();
      try {
        return this.ctx.callFunction(fn, this.ctx.undefined, ...args);
      } finally {
        for (const a of args) a.dispose();
      }
    });
  }

  /**
   * Runs one guest step. The outermost step resets the watchdog and drains pending jobs.
   * Returns the value dumped to the host when `wantValue` (status and debug calls, not
   * events); after a fault, ok is false, or the fault is thrown when `rethrow`.
   */
  private run(where: string, step: () => VmCallResult<QuickJSHandle>, rethrow = false, wantValue = rethrow): { ok: boolean; value?: unknown } {
    if (this.disposed) throw new Error('QuickJS band is disposed');
    const outer = this.depth === 0;
    if (outer) {
      this.polls = 0;
      this.interrupted = false;
    }
    this.depth++;
    let fault: GuestFault | undefined;
    let value: unknown;
    try {
      const r = step();
      if (r.error) {
        fault = this.faultFrom(where, r.error);
        r.error.dispose();
      } else {
        if (wantValue) value = this.ctx.dump(r.value);
        r.value.dispose();
      }
      if (outer && !fault) {
        const jobs = this.rt.executePendingJobs();
        if (jobs.error) {
          fault = this.faultFrom(`${where} (pending job)`, jobs.error);
          jobs.error.dispose();
        }
      }
    } finally {
      this.depth--;
    }
    if (outer) this.buryDead();
    if (fault) this.report(fault, outer);
    if (outer && this.disposeWhenIdle) this.dispose();
    if (fault && rethrow) throw fault;
    return fault ? { ok: false } : { ok: true, value };
  }

  private faultFrom(where: string, error: QuickJSHandle): GuestFault {
    const e = this.ctx.dump(error) as { name?: string; message?: string; stack?: string } | string;
    const message = typeof e === 'object' && e !== null ? `${e.name ?? 'Error'}: ${e.message ?? ''}` : String(e);
    const kind: FaultKind = this.interrupted ? 'watchdog' : 'exception';
    return new GuestFault(kind, where, kind === 'watchdog' ? `ran past ${this.budget} interrupt polls` : message, typeof e === 'object' ? e?.stack : undefined);
  }

  private report(fault: GuestFault, outer: boolean): void {
    // A watchdog stop unwinds through every nested event; report it once, at the top.
    if (fault.kind === 'watchdog' && !outer) return;
    if (this.faults.length < MAX_FAULTS_KEPT) this.faults.push(fault);
    try {
      this.opts.onFault?.(fault);
    } catch (err) {
      console.error('quickjs-host: onFault threw', err);
    }
  }
}
