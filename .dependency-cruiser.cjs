// The layering of docs/DESIGN.md ("Layers"), checked by dependency-cruiser (`npm run lint`).
// LEVELS runs from the bottom up: a module may import its own folder and the levels below it,
// never a level above nor another folder of its own level. Type-only imports count: a type that
// two layers share belongs in the lower one (src/base holds the search vocabulary for that).
// Test files are imported by tests only, and only src/node/ (and the shells above src/) may use
// Node's built-in modules, so the library runs in browsers, Deno and edge functions. The tests
// of the pure tier (test/tiers.json) reach nothing in build/, so they run before any build.
const { pure: PURE_TESTS } = require('./test/tiers.json');

/** Levels of folders, bottom first; each entry is [name, path pattern]. */
const LEVELS = [
  [['helpers', '^src/(helpers/|version\\.ts$)']],
  [['base', '^src/base/']],
  [['core', '^src/core/']],
  [['graph', '^src/graph/']],
  [['sim', '^src/sim/']],
  [['hw', '^src/hw/']],
  [['sched', '^src/sched/']],
  [['rl', '^src/rl/']],
  // The Web Worker's entry file (measure-web-worker.ts) sits with the library entries.
  [['tune', '^src/tune/(?!measure-web-worker\\.ts$)']],
  [['run', '^src/run/']],
  [['codesign', '^src/codesign/']],
  [['compile', '^src/compile/']],
  [['report', '^src/report/']],
  [['api', '^src/api/']],
  [['entries', '^src/(lib\\.ts|index\\.ts|tune/measure-web-worker\\.ts)$']],
  [['node', '^src/node/'], ['edge', '^src/edge/']],
  [['cli', '^cli/'], ['web-demo', '^web-demo/']],
  [['bench', '^bench/']],
];

// Imports that cross the layers on purpose: [file, the folder it may import, why].
const EXCEPTIONS = [
  ['src/api/redis.ts', '^src/node/dist/', 'types only: it loads the Node-only scale-out modules by a specifier bundlers do not follow'],
];

const either = (patterns) => `(${patterns.join('|')})`;
const exact = (file) => `^${file.replace(/[.]/g, '\\.')}$`;

const layerRules = LEVELS.flatMap((level, i) => {
  const above = LEVELS.slice(i + 1).flat().map(([, path]) => path);
  return level.flatMap(([name, path]) => {
    const forbidden = either([...above, ...level.filter(([other]) => other !== name).map(([, p]) => p)]);
    const rule = (from, to) => ({
      name: `layer-${name}`,
      severity: 'error',
      comment: `${name} may import only its own folder and the levels below it (docs/DESIGN.md, "Layers")`,
      from,
      to,
    });
    const exceptions = EXCEPTIONS.filter(([file]) => new RegExp(path).test(file));
    return [
      rule({ path, pathNot: exceptions.length ? either(exceptions.map(([file]) => exact(file))) : undefined }, { path: forbidden }),
      ...exceptions.map(([file, allowed]) => rule({ path: exact(file) }, { path: forbidden, pathNot: allowed })),
    ];
  });
}).filter((rule) => rule.to.path !== '()');

const LAYERED = either(LEVELS.flat().map(([, path]) => path));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'every-folder-in-a-layer',
      severity: 'error',
      comment: 'a module of src/ outside every level has no layering: add its folder to LEVELS (and to docs/DESIGN.md)',
      from: { path: '^src/', pathNot: LAYERED },
      to: {},
    },
    {
      name: 'every-folder-in-a-layer',
      severity: 'error',
      comment: 'a module of src/ outside every level has no layering: add its folder to LEVELS (and to docs/DESIGN.md)',
      from: {},
      to: { path: '^src/', pathNot: LAYERED },
    },
    {
      name: 'tests-only-from-tests',
      severity: 'error',
      comment: 'test/ is imported by tests only: what a benchmark or the demo shares with a test lives in src/, bench/ or web-demo/',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'pure-tests-need-no-build',
      severity: 'error',
      comment: 'a pure test (test/tiers.json) runs on a checkout with no build/: it may not reach the wasm core, even through other modules',
      from: { path: either(PURE_TESTS.map(exact)) },
      to: { path: '^build/', reachable: true },
    },
    {
      name: 'isomorphic-library',
      severity: 'error',
      comment: "the library runs in browsers, Deno and edge functions: Node's built-ins only in src/node/",
      from: { path: '^src/', pathNot: '^src/node/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'wasm-through-core',
      severity: 'error',
      comment: "only src/core loads the wasm core's bindings; src/edge/worker.ts may import the .wasm files workerd bundles",
      from: { pathNot: '^(src/core/|src/edge/worker\\.ts$|test/)' },
      to: { path: '^build/' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API for dependency-cruiser to parse with; swc parses
    // the TypeScript sources, type-only imports included.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: '^(node_modules|build)/' },
    exclude: { path: '^dist/' },
  },
};
