/**
 * A virtual controller behind a local socket speaking H4 (Core Vol 4 Part A: the UART transport,
 * one indicator byte before each packet), as a real controller sits behind a serial line: one
 * host at a time; when it goes away the controller loses power (its connections time out at
 * their peers) and the next host finds it freshly reset. The address is a Unix socket path
 * or "127.0.0.1:port" (port 0: any free one; the chosen one is in `endpoint`).
 */
import { rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import type { VirtualController } from './controller.ts';
import { H4Splitter } from './hci.ts';

export interface H4Server {
  /** Where a host connects: the socket path, or "127.0.0.1:port". */
  readonly endpoint: string;
  /** Every packet both ways, for tests and the docs' traces: 'h2c' host → controller, 'c2h' back. */
  readonly trace: { dir: 'h2c' | 'c2h'; packet: Buffer }[];
  close(): Promise<void>;
}

export async function serveH4(controller: VirtualController, address: string, keepTrace = false): Promise<H4Server> {
  let host: Socket | null = null;
  const trace: H4Server['trace'] = [];
  const server: Server = createServer((socket) => {
    if (host !== null) {
      socket.destroy(); // the line is taken
      return;
    }
    host = socket;
    socket.setNoDelay(true);
    controller.toHost = (packet) => {
      if (keepTrace) trace.push({ dir: 'c2h', packet });
      if (!socket.destroyed) socket.write(packet);
    };
    const splitter = new H4Splitter(
      (packet) => {
        if (keepTrace) trace.push({ dir: 'h2c', packet });
        controller.fromHost(packet);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk) => splitter.push(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      if (host !== socket) return;
      host = null;
      controller.toHost = () => undefined;
      controller.powerOff();
    });
  });
  const tcp = /^127\.0\.0\.1:(\d+)$/.exec(address);
  if (!tcp) rmSync(address, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (tcp) server.listen(Number(tcp[1]), '127.0.0.1', resolve);
    else server.listen(address, resolve);
  });
  const bound = server.address();
  const endpoint = tcp && typeof bound === 'object' && bound !== null ? `127.0.0.1:${bound.port}` : address;
  return {
    endpoint,
    trace,
    close: () =>
      new Promise<void>((resolve) => {
        (host as Socket | null)?.destroy();
        server.close(() => resolve());
      }),
  };
}
