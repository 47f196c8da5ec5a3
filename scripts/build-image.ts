/**
 * `npm run build`: builds the band image (docs/FIRMWARE-IMAGE.md).
 *
 *   node --import tsx scripts/build-image.ts [--entry file.ts] [--out dir] [--keep-details] [--no-mangle-props]
 *
 * --keep-details keeps the diagnostic strings the image build strips (tools/image/
 * strip-details.ts) and --no-mangle-props keeps property names (tools/image/
 * mangle-props.ts): both for debugging a build, and both likely to exceed the budget.
 *
 * Entry: --entry, else firmware/main.ts. Signs with the key
 * file named by WRISTPAY_VENDOR_KEY, else .keys/vendor-dev.json (created on first use).
 * Prints the minified and gzip sizes; exits 1 (writing nothing) above the 44 KiB budget,
 * and 1 on any bundling, profile or key error.
 */
import { readFileSync } from 'node:fs';
import { parseFirmwareVersion } from '../tools/image/pack.ts';
import { buildImage, resolveEntry, writeBuildOutputs } from '../tools/image/pipeline.ts';
import { resolveVendorKey, toHex } from '../tools/image/vendor-key.ts';

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const entry = resolveEntry(argValue(argv, '--entry'));
  const outDir = argValue(argv, '--out') ?? 'dist';
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const version = parseFirmwareVersion(pkg.version);
  const { key, path: keyPath, created } = resolveVendorKey(process.env.WRISTPAY_VENDOR_KEY);
  if (created) console.log(`generated development vendor key ${keyPath}`);

  const result = await buildImage({
    entry,
    version,
    key,
    keepDetails: argv.includes('--keep-details'),
    mangleProps: !argv.includes('--no-mangle-props'),
  });
  const { minified, gzip, image, budget } = result.sizes;
  const { strip, inline, dead, shrink, mangledProps } = result.stats;
  console.log(`entry    ${entry}`);
  console.log(
    `passes   details stripped: ${strip.fail} fail, ${strip.refuse} refuse, ${strip.cborRefuse} CBOR, ${strip.thrown} thrown (${strip.kept} kept); ` +
      `${inline.reads} constant reads inlined (${inline.tablesRemoved} tables gone); ${dead.removed.length} dead methods; ` +
      `${shrink.thisAliased} this-aliases; properties ${mangledProps ? 'mangled' : 'kept'}`,
  );
  console.log(
    `band.js  ${minified} bytes minified, ${gzip} bytes gzip (budget ${budget} minified, ${((100 * minified) / budget).toFixed(1)}% used)`,
  );
  console.log(
    `band.img ${image} bytes, version ${pkg.version}, key id ${toHex(key.keyId)}${key.dev ? ' (development key)' : ''}`,
  );
  if (!result.withinBudget) {
    console.error(
      `error: image code is ${minified} bytes, over the ${budget}-byte budget by ${minified - budget}; nothing written`,
    );
    return 1;
  }
  const paths = writeBuildOutputs(result, outDir, key);
  console.log(`wrote    ${paths.js}, ${paths.img}, ${paths.pub}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
