/** Entry point: parse the command line, start the chosen role, stop cleanly on signals. */
import { isAppError } from '../src/errors.js';
import { helpText, parseArgs } from '../src/server/config.js';
import { createLogger } from '../src/server/logger.js';
import { ROLES, findRole, roleStorageProblem } from '../src/server/roles.js';

/** `ariadne doctor [--target URL] [port flags]`: checks a running server from the outside. */
async function doctor(argv: string[]): Promise<number> {
  let target = 'http://127.0.0.1';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--target') target = argv[++i] ?? '';
    else if (arg.startsWith('--target=')) target = arg.slice('--target='.length);
    else rest.push(arg);
  }
  let url: URL;
  let parsed;
  try {
    url = new URL(target);
    parsed = parseArgs(rest, process.env);
  } catch (err) {
    process.stderr.write(`ariadne doctor: ${err instanceof TypeError ? `--target: expected a URL such as http://ariadne:9411, got ${JSON.stringify(target)}` : (err as Error).message}\n`);
    return 2;
  }
  const c = parsed.config;
  const { createDoctorCredentials, formatReport, runDoctor } = await import('../src/doctor/index.js');
  let credentials;
  try {
    credentials = createDoctorCredentials({ tenant: c.doctorTenant, tenantHeader: c.tenancyHeader, tokenFile: c.doctorTokenFile, basicFile: c.doctorBasicFile });
  } catch (err) {
    process.stderr.write(`ariadne doctor: ${(err as Error).message}\n`);
    return 2;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  process.stdout.write(`ariadne doctor: checking ${host}${credentials.none ? '' : ` with ${credentials.description}`}\n\n`);
  const results = await runDoctor({
    target: { ...c, host, zipkinPort: url.port === '' ? c.zipkinPort : Number(url.port) },
    credentials,
  });
  process.stdout.write(formatReport(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

/** Demo flag values from `--demo.x value` / `--demo.x=value` and ARIADNE_DEMO_* variables; other flags throw. */
function demoValues(argv: readonly string[], flags: ReadonlyArray<{ flag: string; env: string }>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const f of flags) if (process.env[f.env] !== undefined) values[f.flag] = process.env[f.env];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`--${name}: a value is required`);
    values[name] = value;
  }
  return values;
}

/** Waits for SIGINT or SIGTERM. */
function untilSignal(onSignal: (signal: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      onSignal(signal);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `ariadne demo [--demo.* flags]`: the Bookinfo demo alone, reporting to a Zipkin endpoint. */
async function demo(argv: string[]): Promise<number> {
  const { DEMO_FLAGS, demoOptionsFromFlags, startDemo } = await import('../src/demo/index.js');
  if (argv.includes('--help') || argv.includes('-h')) {
    const lines = ['Usage: ariadne demo [flags]', '', 'Flags (each also settable by the environment variable shown):'];
    for (const f of DEMO_FLAGS) lines.push(`  --${f.flag} <value>`.padEnd(36) + f.help, ' '.repeat(36) + `env ${f.env}, default ${f.defaultText}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  let running;
  try {
    running = await startDemo(demoOptionsFromFlags(demoValues(argv, DEMO_FLAGS)));
  } catch (err) {
    process.stderr.write(`ariadne demo: ${(err as Error).message}\n`);
    return isAppError(err) || !(err as { code?: string }).code ? 2 : 1;
  }
  process.stdout.write(`${running.summary()}\n`);
  await untilSignal(() => undefined);
  await running.close();
  process.stdout.write(`${running.summary()}\n`);
  return 0;
}

async function main(): Promise<number> {
  if (process.argv[2] === 'doctor') return doctor(process.argv.slice(3));
  if (process.argv[2] === 'demo') return demo(process.argv.slice(3));
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`ariadne: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(helpText(ROLES));
    return 0;
  }
  const roleName = parsed.positionals[0] ?? ROLES[0]!.name;
  const role = findRole(roleName);
  if (!role || parsed.positionals.length > 1) {
    process.stderr.write(`ariadne: unknown role ${JSON.stringify(parsed.positionals.join(' '))}; roles: ${ROLES.map((r) => r.name).join(', ')}\n`);
    return 2;
  }
  const problem = roleStorageProblem(role, parsed.config.storage);
  if (problem) {
    process.stderr.write(`ariadne: ${problem}\n`);
    return 2;
  }
  const logger = createLogger(parsed.config);
  let server;
  try {
    // Loaded only when serving, so --help and flag errors answer without loading the engines.
    const { startServer } = await import('../src/server/app.js');
    server = await startServer(role, parsed.config, logger);
  } catch (err) {
    logger.fatal({ err }, isAppError(err) ? err.message : 'failed to start');
    logger.flush();
    return 1;
  }
  logger.info({ role: role.name, ports: server.ports }, 'ariadne started');
  let running: { summary(): string; close(): Promise<void> } | undefined;
  if (parsed.config.demo && server.ports.zipkin !== undefined) {
    try {
      const { DEMO_FLAGS, demoOptionsFromFlags, startDemo } = await import('../src/demo/index.js');
      const options = demoOptionsFromFlags(demoValues([], DEMO_FLAGS));
      running = await startDemo({ ...options, zipkinUrl: options.zipkinUrl ?? `http://127.0.0.1:${server.ports.zipkin}/api/v2/spans` });
      logger.info({ demo: running.summary() }, 'demo running');
    } catch (err) {
      logger.error({ err }, `the demo did not start: ${(err as Error).message}`);
    }
  }
  await untilSignal((signal) => logger.info({ signal }, 'shutting down'));
  // The demo goes first so its last spans reach the server before the server stops.
  await running?.close();
  const forced = setTimeout(() => {
    logger.error('shutdown took longer than 30 s, exiting');
    process.exit(1);
  }, 30_000);
  forced.unref();
  await server.close();
  logger.info('stopped');
  logger.flush();
  return 0;
}

process.exitCode = await main();
