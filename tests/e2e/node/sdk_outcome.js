// How the SDK scenario clients report: one JSON line with this process's pid
// (warden's events name it), the scenario, and either the SDK's result or the
// API error the SDK raised. Anything else (a connection failure, a stream the
// SDK could not assemble) is a broken run: exit 1 with the stack.
'use strict';

function apiErrorFacts(err) {
  return {
    class: err.constructor && err.constructor.name,
    status: err.status === undefined ? null : err.status,
    message: err.message,
    type: err.type === undefined ? null : err.type,
    body: err.error === undefined ? null : err.error,
  };
}

async function runScenario(scenarios, apiErrorClass) {
  const name = process.argv[2];
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario '${name}' (known: ${Object.keys(scenarios).join(', ')})`);
  const out = { pid: process.pid, scenario: name };
  try {
    out.result = await scenario();
  } catch (err) {
    if (!(err instanceof apiErrorClass) || err.status === undefined) throw err;
    out.error = apiErrorFacts(err);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function main(scenarios, apiErrorClass, label) {
  runScenario(scenarios, apiErrorClass).catch((err) => {
    process.stderr.write(`${label}: ${err && err.stack ? err.stack : err}\n`);
    if (err && err.cause) process.stderr.write(`cause: ${err.cause.stack || err.cause}\n`);
    process.exit(1);
  });
}

module.exports = { main };
