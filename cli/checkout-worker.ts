/**
 * A cluster worker's side of `checkout start --workers N`: the messages it exchanges with
 * the primary (checkout-primary.ts) over the IPC channel node:cluster opens.
 */
import cluster from 'node:cluster';

/** Worker → primary. */
export type WorkerMessage =
  | { type: 'listening'; url: string; metricsUrl: string }
  | { type: 'stopped'; forced: number };
/** Primary → worker: stop gracefully (the signal the primary received, for the record). */
export interface StopMessage {
  type: 'stop';
  signal: string;
}
const TAG = 'wristpay:worker';

const sends = new Set<Promise<void>>();

export function tellPrimary(m: WorkerMessage): void {
  const sent = new Promise<void>((done) => process.send?.({ [TAG]: m }, undefined, {}, () => done()) ?? done());
  sends.add(sent);
  void sent.then(() => sends.delete(sent));
}

/** What a worker told: the message, or undefined for any other (prom-client's, cluster-metrics.ts). */
export function workerMessage(raw: unknown): WorkerMessage | undefined {
  return (raw as Record<string, WorkerMessage> | null)?.[TAG];
}

export function stopMessage(signal: string): Record<string, StopMessage> {
  return { [TAG]: { type: 'stop', signal } };
}

/**
 * Resolves when the primary says stop, or on SIGTERM sent to this worker alone. SIGINT is
 * ignored: Ctrl-C reaches every process of the terminal's group, and a worker that took it
 * as its stop would take the primary's stop after it as a second signal (killed at once).
 */
export function waitForPrimaryStop(): Promise<string> {
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    const onMessage = (raw: unknown): void => {
      const m = (raw as Record<string, StopMessage> | null)?.[TAG];
      if (m?.type === 'stop') done(m.signal);
    };
    const onTerm = (): void => done('SIGTERM');
    const done = (signal: string): void => {
      process.off('message', onMessage);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    process.on('message', onMessage);
    process.on('SIGTERM', onTerm);
  });
}

/**
 * Leaves the cluster once every message is out, so the process can end with its own exit
 * code: the IPC channel would keep it alive, and a plain disconnect counts as the
 * primary's death (cluster exits the worker at once with 0).
 */
export async function leaveCluster(): Promise<void> {
  await Promise.all(sends);
  cluster.worker?.disconnect();
}
