/**
 * Puts VirtualHciSocket where noble's and bleno's `require('@abandonware/bluetooth-hci-socket')`
 * finds it: a finished module in Node's CommonJS cache under the path that require resolves to.
 * Nothing of noble or bleno changes; only the socket package is replaced, before either loads.
 * It must run before the first `import('@abandonware/noble')` or `require('@abandonware/bleno')`
 * in the process: both build their HCI objects when first loaded.
 */
import Module, { createRequire } from 'node:module';
import { VirtualHciSocket, setHciEndpoints } from './hci-socket-shim.ts';

const require = createRequire(import.meta.url);

/** The host stacks whose `require` of the socket package is redirected. */
const STACKS = ['@abandonware/noble', '@abandonware/bleno'];

/**
 * Redirects the socket package and says which device id is which controller (see
 * hci-socket-shim.ts); without `devices`, WRISTPAY_HCI_SOCKETS says.
 */
export function installVirtualHciSocket(devices?: Record<number, string>): void {
  if (devices) setHciEndpoints(devices);
  for (const stack of STACKS) {
    const from = createRequire(require.resolve(`${stack}/package.json`));
    const path = from.resolve('@abandonware/bluetooth-hci-socket');
    const cached = require.cache[path];
    if (cached?.exports === VirtualHciSocket) continue;
    if (cached) throw new Error(`${path} is already loaded: install the virtual HCI socket before noble or bleno`);
    const m = new Module(path);
    m.filename = path;
    m.loaded = true;
    m.exports = VirtualHciSocket;
    require.cache[path] = m;
  }
}
