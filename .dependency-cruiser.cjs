// The layers of fintrans-sql, checked by dependency-cruiser on every `npm test` (npm run lint:deps).
// Type-only imports count like any other (tsPreCompilationDeps): a layer that needs another's types
// depends on it.
//
//   app/          the application: app/cli (the fintrans-sql command), app/manager (`up`: job
//                 manager and dashboard), app/job-files.ts (a job file read and planned, for both).
//                 Nothing below imports it. The manager does not import the CLI that starts it.
//   generator/    the transaction generator (a library; its command is app/cli/generate.ts)
//   engine/runtime  builds and runs a job (plan -> operators), a job's state to/from checkpoints
//   engine/state    the checkpoint store and savepoint files (knows plans, not built jobs)
//   engine/plan, engine/exec   planner and operators (exec reads the plan's node and expression types)
//   connectors/   one folder per connector behind connectors/api.ts, listed in connectors/registry.ts;
//                 built on the engine's base below, never on plan/exec/state/runtime/sql
//   engine base   engine/*.ts (errors, types, values, options, checkpointing, home, ...),
//                 engine/time, engine/sql (the parser), engine/formats
//
// Between the engine and the connectors, the direction is set by connectors/api.ts: connectors
// import the engine's base; the engine's upper layers reach connectors only through the api and
// the registry (by name, from a table's WITH 'connector' = ...), never a connector's own modules.
// One exception by design: the runtime prints a bare SELECT's rows with the print connector
// (engine/runtime/build.ts -> connectors/print/print.ts), as Flink's SQL client shows a query.

const ENGINE_UPPER = '^engine/(plan|exec|state|runtime)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only ones included: each module sits at one place in the layers.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'app-on-top',
      severity: 'error',
      comment: 'The engine, the connectors and the generator never import the application (app/).',
      from: { path: '^(engine|connectors|generator)/' },
      to: { path: '^app/' },
    },
    {
      name: 'manager-below-cli',
      severity: 'error',
      comment:
        'The job manager (app/manager) is started by the CLI (app/cli/up.ts) and must not import it; what both need lives in app/*.ts.',
      from: { path: '^app/manager/' },
      to: { path: '^app/cli/' },
    },
    {
      name: 'engine-reaches-connectors-through-api',
      severity: 'error',
      comment:
        'The engine uses connectors through connectors/api.ts and connectors/registry.ts only (the print connector for a bare SELECT excepted).',
      from: { path: '^engine/' },
      to: {
        path: '^connectors/',
        pathNot: ['^connectors/(api|registry)\\.ts$', '^connectors/print/print\\.ts$'],
      },
    },
    {
      name: 'engine-print-for-select-only',
      severity: 'error',
      comment: 'Only the runtime builder takes the print connector directly (a bare SELECT prints its rows).',
      from: { path: '^engine/', pathNot: '^engine/runtime/build\\.ts$' },
      to: { path: '^connectors/print/' },
    },
    {
      name: 'connectors-on-engine-base',
      severity: 'error',
      comment:
        "Connectors build on the engine's base (errors, types, values, options, formats, time, ...), not on its parser, planner, operators, state or runtime.",
      from: { path: '^connectors/' },
      to: { path: '^engine/(sql|plan|exec|state|runtime)/' },
    },
    {
      name: 'engine-base-below-upper',
      severity: 'error',
      comment:
        "The engine's base (engine/*.ts, time, sql, formats) does not import the planner, operators, state or runtime.",
      from: { path: '^engine/([^/]+\\.ts$|(time|sql|formats)/)' },
      to: { path: ENGINE_UPPER },
    },
    {
      name: 'plan-and-exec-below-state-and-runtime',
      severity: 'error',
      comment: 'The planner and the operators do not import the checkpoint store or the runtime.',
      from: { path: '^engine/(plan|exec)/' },
      to: { path: '^engine/(state|runtime)/' },
    },
    {
      name: 'state-below-runtime',
      severity: 'error',
      comment:
        'The checkpoint store does not import the runtime: a built job meets its checkpoints in engine/runtime/job-checkpoints.ts.',
      from: { path: '^engine/state/' },
      to: { path: '^engine/runtime/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
