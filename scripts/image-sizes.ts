/**
 * `npm run image:sizes`: where the image's minified bytes go, by folder and by module, as
 * Markdown tables (the ones in docs/FIRMWARE.md). The image is firmware/main.ts through the
 * real pipeline; tools/image/size-map.ts explains the attribution.
 *
 *   node --import tsx scripts/image-sizes.ts [--entry file.ts]
 */
import { dirname } from 'node:path';
import { resolveEntry } from '../tools/image/pipeline.ts';
import { imageSizeMap, type ModuleBytes } from '../tools/image/size-map.ts';

function table(title: string, rows: ModuleBytes[], total: number): string {
  const lines = [`| ${title} | bytes | share |`, '| --- | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.module} | ${r.bytes} | ${((100 * r.bytes) / total).toFixed(1)}% |`);
  lines.push(`| **total** | **${total}** | 100% |`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--entry');
  const entry = resolveEntry(i === -1 ? undefined : argv[i + 1]);
  const { code, modules } = await imageSizeMap(entry, process.cwd());
  const total = Buffer.byteLength(code, 'utf8');
  const folders = new Map<string, number>();
  for (const m of modules) {
    const folder = m.module.startsWith('(') ? m.module : `${dirname(m.module)}/`;
    folders.set(folder, (folders.get(folder) ?? 0) + m.bytes);
  }
  const byFolder = [...folders].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
  console.log(`${entry}: ${total} bytes minified\n`);
  console.log(`${table('folder', byFolder, total)}\n`);
  console.log(table('module', modules, total));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
