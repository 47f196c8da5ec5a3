/** How the demo tells its story: numbered sentences for people, one JSON object per line for machines. */
import type { DemoEvent } from './story.ts';

export function demoPrinter(
  json: boolean,
  write: (line: string) => void,
): { event(e: DemoEvent, sentence: string): void; note(s: string): void } {
  let n = 0;
  return {
    event(e, sentence) {
      if (json) write(JSON.stringify(e));
      else write(`${String(++n).padStart(2)}. ${e.outcome === 'declined' ? '✗' : '✓'} ${sentence}`);
    },
    note(s) {
      if (!json) write(`   ${s}`);
    },
  };
}
