/**
 * The architecture as rules (issue 12), checked by `npm run lint`:
 *
 *   shared ← firmware ← sim                      the band: protocol, firmware, simulator
 *   shared ← checkout (api/ apart) ← bridge      the server, and the terminal that talks to it
 *   all of the product ← cli ← bin               one shell for every command
 *   product ← tools ← harness ← scripts ← test    build-time code, test drivers, entry points, suites
 *
 * Every arrow points down, there are no circles, and the product (shared, firmware, sim,
 * checkout, bridge, cli, bin) never imports tools/, harness/, scripts/ or test/. tools/ (the image
 * build's passes) sees only the product; harness/ (code tests and benchmarks share) adds tools/;
 * scripts/ (the build-image and bench entry points) adds harness/; test/ may use everything.
 * Type-only imports count for circles (a reader follows them too) but not for run-time layering
 * where a rule says so.
 */
const PRODUCT = '^(shared|firmware|sim|checkout|bridge|cli|bin)/';
const NOT_PRODUCT = '^(tools|harness|scripts|test)/';
const PRODUCT_ALTERNATIVES = 'shared|firmware|sim|checkout|bridge|cli|bin';

/** `from` may import nothing of ours outside `allowed` (folders, as regex alternatives). */
function onlyDown(name, from, allowed, comment, fromNot) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^${from}/`, pathNot: fromNot },
    to: {
      path: '^(shared|firmware|sim|checkout|bridge|cli|bin|tools|harness|scripts|test)/',
      pathNot: `^(${allowed})/`,
    },
  };
}

module.exports = {
  forbidden: [
    onlyDown(
      'shared-is-the-bottom',
      'shared',
      'shared',
      'shared/ is the protocol both ends speak: it imports nothing else of ours.',
    ),
    onlyDown(
      'firmware-on-shared',
      'firmware',
      'firmware|shared',
      'The firmware runs on the band: it sees the protocol and nothing else.',
    ),
    onlyDown(
      'sim-on-firmware',
      'sim',
      'sim|firmware|shared',
      'The simulator runs the firmware; it knows nothing of the checkout, the bridge or the shell.',
    ),
    onlyDown(
      'checkout-on-shared',
      'checkout',
      'checkout|shared',
      'The checkout is a server of its own: the protocol, nothing of the band or the terminal.',
    ),
    {
      name: 'bridge-on-checkout-api',
      comment:
        'The bridge talks to the checkout over HTTP: it may import checkout/api (client, types), never the server.',
      severity: 'error',
      from: { path: '^bridge/' },
      to: { path: '^(firmware|sim|cli|bin|tools|harness|scripts|test)/|^checkout/(?!api/)' },
    },
    {
      name: 'checkout-api-apart-from-the-server',
      comment:
        'checkout/api is what the bridge may import: the client, the request signing and the JSON ' +
        "shapes (api/views.ts), which the server's core builds. It imports nothing of the server, " +
        'not even types.',
      severity: 'error',
      from: { path: '^checkout/api/' },
      to: { path: '^checkout/(?!api/)' },
    },
    onlyDown(
      'cli-on-the-product',
      'cli',
      'cli|bridge|checkout|sim|firmware|shared',
      'The shell may use the whole product, never tools/, harness/, scripts/ or test/.',
    ),
    {
      name: 'product-apart-from-tests',
      comment: 'Product code never imports test support, build scripts or tests (they are not in the package).',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: NOT_PRODUCT },
    },
    {
      name: 'bin-on-cli',
      comment: 'bin/ only starts the shell.',
      severity: 'error',
      from: { path: '^bin/' },
      to: { path: '^(shared|firmware|sim|checkout|bridge)/' },
    },
    onlyDown(
      'tools-on-the-product',
      'tools',
      `tools|${PRODUCT_ALTERNATIVES}`,
      'The image build sees the product it builds, no test drivers.',
    ),
    onlyDown(
      'harness-on-tools',
      'harness',
      `harness|tools|${PRODUCT_ALTERNATIVES}`,
      'Test and bench drivers use the product and the image build; never the entry points or the suites.',
    ),
    onlyDown(
      'scripts-on-harness',
      'scripts',
      `scripts|harness|tools|${PRODUCT_ALTERNATIVES}`,
      'The build-image and bench entry points run without the test suite: they never import test/.',
    ),
    {
      name: 'no-circular',
      comment:
        'No circles, type-only imports included: a circle means two files are one concept, or one is in the wrong place.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment:
        'A product file nothing imports and that imports nothing is dead (knip checks reachability from the entry points).',
      severity: 'error',
      from: { orphan: true, path: PRODUCT, pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'product-on-runtime-dependencies',
      comment: 'The package installs with --omit=dev: product code imports only runtime dependencies.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo, or a package missing from package.json).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'Every package imported is declared in package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    // Type-only imports are dependencies too (marked type-only), so circles through them count.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/' },
    // Resolve packages through their "exports" maps as Node does (tsx/esm/api).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
