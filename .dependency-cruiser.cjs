// Layer rules for src/: each folder imports only the layers below it.
//   core < protocol, storage < identity < functions < services < gateway < server < cli
// Checked by `npm run lint:layers`, which `npm test` runs.
const LAYERS = ['core', 'protocol|storage', 'identity', 'functions', 'services', 'gateway', 'server', 'cli'];

const forbidden = [];
LAYERS.forEach((layer, i) => {
  const above = LAYERS.slice(i + 1).join('|');
  if (!above) return;
  forbidden.push({
    name: `layer-${layer.replace('|', '-')}`,
    comment: `src/${layer} may only import layers below it`,
    severity: 'error',
    from: { path: `^src/(${layer})/` },
    to: { path: `^src/(${above})/` },
  });
});

forbidden.push(
  {
    name: 'protocol-storage-apart',
    comment: 'protocol and storage are siblings and stay independent',
    severity: 'error',
    from: { path: '^src/protocol/' },
    to: { path: '^src/storage/' },
  },
  {
    name: 'storage-protocol-apart',
    severity: 'error',
    from: { path: '^src/storage/' },
    to: { path: '^src/protocol/' },
  },
  {
    name: 'services-are-independent',
    comment: 'a service never reaches into another service; services talk through internal clients wired in server/',
    severity: 'error',
    from: { path: '^src/services/([^/]+)/' },
    to: { path: '^src/services/([^/]+)/', pathNot: '^src/services/$1/' },
  },
  {
    name: 'no-circular',
    comment: 'runtime import cycles; a type-only import back into a module is fine',
    severity: 'error',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'tests-stay-out-of-src-code',
    comment: 'production code never imports test files',
    severity: 'error',
    from: { path: '^src/', pathNot: '\\.test\\.ts$' },
    to: { path: '(\\.test\\.ts$|^test/)' },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
