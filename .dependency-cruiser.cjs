/**
 * The dependency rule of bookbinder (docs/architecture.md): no cycles, and no module imports
 * from a later stage. Run by `npm run lint` (so by `npm test`): `npx depcruise src`.
 */
// Stages in pipeline order; a module may import from its own stage and earlier ones only.
const STAGES = [
  ['base', '^src/(diagnostics|model|paths|progress|ticker)\\.ts$|^src/types/'],
  // The bundled fonts (files, slices, their CSS): compose, the browser and the outputs use them.
  ['fonts', '^src/fonts/'],
  ['source', '^src/source/'],
  ['config', '^src/config/'],
  ['structure', '^src/structure/'],
  ['liquid', '^src/liquid/'],
  ['markdown', '^src/markdown/'],
  ['compose', '^src/compose/'],
  // A service the diagrams and the outputs use: it knows no stage after compose.
  ['browser', '^src/browser/'],
  ['diagrams', '^src/diagrams/'],
  ['output', '^src/output/'],
  ['build', '^src/(build|render-cache)\\.ts$'],
  ['front', '^src/(api|commands|preflight|preview|service|cli\\.ts|index\\.ts)'],
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the stages impossible to read (or to test) one at a time.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...STAGES.slice(0, -1).map(([name, path], i) => ({
      name: `no-later-stage-from-${name}`,
      severity: 'error',
      comment: `${name} runs before ${STAGES.slice(i + 1)
        .map(([n]) => n)
        .join(', ')}: it may not import from them (move the shared piece to an earlier stage).`,
      from: { path },
      to: { path: STAGES.slice(i + 1).map(([, p]) => `(${p})`).join('|') },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
