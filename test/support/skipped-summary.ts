/**
 * A reporter that runs after vitest's default one and, when suites were skipped for a
 * missing tool (./requirements.ts), lists them and prints the one command that provides
 * everything they need. It reads the skip records from task meta, which vitest carries
 * from the forked workers to this process; with nothing skipped it prints nothing.
 */
import type { Reporter, TestCase, TestCollection, TestModule, TestSuite, Vitest } from 'vitest/node';
import { type Install, installCommand, type MissingRequirement } from './skip-record.ts';

/** The outermost suites and tests skipped for want of something (their children inherit the meta). */
function* skippedForWant(children: TestCollection): Generator<TestSuite | TestCase> {
  for (const entity of children) {
    if (entity.meta().missing) yield entity;
    else if (entity.type === 'suite') yield* skippedForWant(entity.children);
  }
}

function needsLine(missing: readonly MissingRequirement[]): string {
  return missing.map((m) => `needs ${m.name}: ${installCommand([m.install])}`).join('; ');
}

export class SkippedSummary implements Reporter {
  private vitest!: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    const installs: Install[] = [];
    const byPath = [...modules].sort((a, b) => a.relativeModuleId.localeCompare(b.relativeModuleId));
    for (const module of byPath) {
      for (const entity of skippedForWant(module.children)) {
        const missing = entity.meta().missing ?? [];
        lines.push(`skipped: ${module.relativeModuleId} > ${entity.fullName} (${needsLine(missing)})`);
        installs.push(...missing.map((m) => m.install));
      }
    }
    if (lines.length === 0) return;
    const { logger } = this.vitest;
    logger.log('');
    for (const line of lines) logger.log(line);
    logger.log(`to run them (CI fails instead of skipping): ${installCommand(installs)}`);
  }
}
