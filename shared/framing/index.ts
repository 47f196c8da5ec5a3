/** GATT framing: command bytes, fragmentation and reassembly (CTAP 2.1 §11.4 style). */
export { FrameCommand } from './commands.ts';
export { MAX_MESSAGE_SIZE, MAX_MTU, MIN_MTU, clampMtu, fragmentCount, fragmentMessage } from './fragment.ts';
export { Reassembler } from './reassembler.ts';
export type { FrameEvent } from './reassembler.ts';
