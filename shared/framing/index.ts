/** GATT framing: command bytes, fragmentation and reassembly (CTAP 2.1 §11.4 style). */
export { FrameCommand, isFrameCommand } from './commands.ts';
export type { FrameCommandCode, FrameCommandName } from './commands.ts';
export {
  ATT_OVERHEAD,
  CONT_HEADER_SIZE,
  INIT_HEADER_SIZE,
  MAX_MESSAGE_SIZE,
  MAX_MTU,
  MAX_SEQ,
  MIN_MTU,
  clampMtu,
  fragmentCount,
  fragmentMessage,
  isValidMtu,
} from './fragment.ts';
export { DEFAULT_REASSEMBLY_TIMEOUT_MS, Reassembler } from './reassembler.ts';
export type { FrameEvent, ReassemblerOptions } from './reassembler.ts';
