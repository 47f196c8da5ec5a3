/**
 * Runs a band image in QuickJS (quickjs-emscripten), with the host's Hal bound as the
 * guest global `hal` (docs/FIRMWARE-IMAGE.md "Engine contract").
 *
 * The engine is configured as a band's (./quickjs-profile.ts): the image profile's
 * intrinsics only, and no function source or line tables unless `debugInfo` is asked for.
 *
 * Marshalling: the guest global `hal` has a group object per Hal group and a small guest
 * closure per method, all forwarding to one host function with the method's index. Bytes cross as ArrayBuffers (newArrayBuffer / getArrayBuffer copy them in one go,
 * no per-byte handles); two small guest functions turn them into fresh Uint8Arrays and back
 * (./quickjs-hal-bridge.ts); the host checks the other argument types. Guest callbacks
 * (onWrite, setTimer, …) are kept as dup'd handles and called later with callFunction.
 *
 * Faults: every guest event (boot, a timer, a radio write, a status call) runs under an
 * interrupt budget, the band's watchdog. An exception or a watchdog stop never reaches
 * the host's stack: it is recorded and passed to `onFault`, so the simulator can reset.
 */
import {
  getQuickJS,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
  type VmCallResult,
} from 'quickjs-emscripten';
import type { Hal } from '../../firmware/hal.ts';
import { BRIDGE_SOURCE, HAL_METHODS, HAL_PROPS, MAX_HAL_ARGS, type Kind, type Sig } from './quickjs-hal-bridge.ts';
import { BAND_INTRINSICS, stripDebugInfo } from './quickjs-profile.ts';

/** Carries a timer callback from argument conversion to the id the host returns. */
interface TimerCell {
  key: string;
  handle?: QuickJSHandle;
}

export type FaultKind = 'exception' | 'watchdog';

/** A guest failure: an uncaught exception in an event, or a watchdog stop. */
export class GuestFault extends Error {
  constructor(
    readonly kind: FaultKind,
    readonly where: string,
    message: string,
    readonly guestStack?: string,
  ) {
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
  /** Keep function source and line tables (guest stack traces with line numbers); costs heap. Default false, as on a band. */
  debugInfo?: boolean;
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
  /** Guest byte conversions (BRIDGE_SOURCE): Uint8Array → ArrayBuffer and back. */
  private toBuffer!: QuickJSHandle;
  private toBytes!: QuickJSHandle;

  constructor(
    module: QuickJSWASMModule,
    code: string,
    private readonly hal: Hal,
    private readonly opts: QuickJSBandOptions,
  ) {
    this.budget = opts.interruptBudget ?? DEFAULT_INTERRUPT_BUDGET;
    this.rt = module.newRuntime();
    if (!opts.debugInfo) stripDebugInfo(module, this.rt);
    this.ctx = this.rt.newContext({ intrinsics: BAND_INTRINSICS });
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
    if (typeof value !== 'string')
      throw new GuestFault('exception', 'status', `wristpay.status() returned ${typeof value}`);
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
    this.toBuffer.dispose();
    this.toBytes.dispose();
    this.ctx.dispose();
    this.rt.dispose();
  }

  /** Builds the guest `hal` object (BRIDGE_SOURCE) around one host entry point. */
  private installHal(): void {
    const { ctx } = this;
    const table: Array<{ group: string; method: string; sig: Sig }> = [];
    const names: Record<string, string[]> = {};
    for (const [group, methods] of Object.entries(HAL_METHODS)) {
      names[group] = [];
      for (const [method, sig] of Object.entries(methods as Record<string, Sig>)) {
        if (sig[0].length > MAX_HAL_ARGS)
          throw new Error(`hal.${group}.${method} takes more than ${MAX_HAL_ARGS} arguments`);
        names[group].push(method);
        table.push({ group, method, sig });
      }
    }
    const call = ctx.newFunction('hal', (idHandle, ...args) => {
      const entry = table[ctx.getNumber(idHandle)];
      return this.hostCall(entry.group, entry.method, entry.sig, args);
    });
    const parts = ctx.unwrapResult(ctx.evalCode(BRIDGE_SOURCE, 'hal-bridge.js'));
    const build = ctx.getProp(parts, 0);
    this.toBuffer = ctx.getProp(parts, 1);
    this.toBytes = ctx.getProp(parts, 2);
    const namesHandle = ctx.unwrapResult(ctx.evalCode(`(${JSON.stringify(names)})`));
    const hal = ctx.unwrapResult(ctx.callFunction(build, ctx.undefined, call, namesHandle));
    for (const [group, props] of Object.entries(HAL_PROPS)) {
      const groupObject = ctx.getProp(hal, group);
      const source = this.hal[group as keyof Hal] as unknown as Record<string, number>;
      for (const name of props as readonly string[]) {
        const value = ctx.newNumber(source[name]);
        ctx.setProp(groupObject, name, value);
        value.dispose();
      }
      groupObject.dispose();
    }
    ctx.setProp(ctx.global, 'hal', hal);
    for (const h of [hal, namesHandle, build, parts, call]) h.dispose();
  }

  /** Guest Uint8Array → host bytes (a copy); a TypeError for anything else. */
  private bytesFromGuest(h: QuickJSHandle | undefined): Uint8Array {
    const { ctx } = this;
    const buffer = ctx.callFunction(this.toBuffer, ctx.undefined, h ?? ctx.undefined);
    if (buffer.error) {
      buffer.error.dispose();
      throw new TypeError('expected a Uint8Array');
    }
    const view = ctx.getArrayBuffer(buffer.value);
    try {
      return view.value.slice(); // copy out of the wasm heap before it is freed
    } finally {
      view.dispose();
      buffer.value.dispose();
    }
  }

  /** Host bytes → a fresh guest Uint8Array. */
  private bytesToGuest(bytes: Uint8Array): QuickJSHandle {
    const { ctx } = this;
    const buffer = ctx.newArrayBuffer(bytes.slice().buffer);
    try {
      return ctx.unwrapResult(ctx.callFunction(this.toBytes, ctx.undefined, buffer));
    } finally {
      buffer.dispose();
    }
  }

  /** One guest → host Hal call; host exceptions become guest exceptions. */
  private hostCall(
    group: string,
    method: string,
    sig: Sig,
    args: QuickJSHandle[],
  ): QuickJSHandle | VmCallResult<QuickJSHandle> | undefined {
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
      case 'y':
        return this.bytesFromGuest(h);
      case 'S': {
        const lines = ctx.dump(h!) as unknown;
        if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string'))
          throw new TypeError('expected an array of strings');
        return lines;
      }
      case 'timer': {
        if (type !== 'function') throw new TypeError(`expected a function, got ${type}`);
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
        if (type !== 'function') throw new TypeError(`expected a function, got ${type}`);
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
    if (kind === 'fy') return [this.bytesToGuest(arg as Uint8Array)];
    return [];
  }

  private toGuest(kind: Kind, v: unknown): QuickJSHandle | undefined {
    const { ctx } = this;
    if (kind === 'n') return ctx.newNumber(v as number);
    if (kind === 'b') return v ? ctx.true : ctx.false;
    if (kind === 'y' || kind === 'y?') return v == null ? ctx.null : this.bytesToGuest(v as Uint8Array);
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
  private run(
    where: string,
    step: () => VmCallResult<QuickJSHandle>,
    rethrow = false,
    wantValue = rethrow,
  ): { ok: boolean; value?: unknown } {
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
    return new GuestFault(
      kind,
      where,
      kind === 'watchdog' ? `ran past ${this.budget} interrupt polls` : message,
      typeof e === 'object' ? e?.stack : undefined,
    );
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
