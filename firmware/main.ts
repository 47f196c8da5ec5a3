/**
 * The image's entry point. The engine provides one global, `hal` (firmware/hal.ts), and
 * optionally `wristpayConfig` (overrides of firmware/config.ts). The image defines one
 * global, `wristpay`, whose `status()` returns a JSON snapshot for the host.
 */
import { bootBand } from './boot.ts';
import type { BandConfig } from './config.ts';
import type { Hal } from './hal.ts';

declare const hal: Hal;
declare const wristpayConfig: Partial<BandConfig> | undefined;

// ES5 engines may lack `globalThis`; an indirect Function call returns the global object.
const global = new Function('return this')() as { wristpay?: unknown };
const booted = bootBand(hal, typeof wristpayConfig === 'undefined' ? undefined : wristpayConfig);
global.wristpay = {
  status: (): string => JSON.stringify(booted.status()),
};
