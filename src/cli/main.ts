/**
 * The `stratus` command. `stratus start` runs the server in the foreground;
 * its options come from one schema (core/config.ts) and are listed by
 * `stratus start --help`.
 */
import { ConfigError, optionsHelp } from '../core/config.js';
import { configFromProcess, processEnvironment } from '../server/config.js';
import { startStratus } from '../server/index.js';
import { deployExamples } from './examples.js';
import { VERSION } from '../server/version.js';
import { writeAwsProfile } from './aws-profile.js';
import { invokeCommand, logsCommand } from './functions.js';
import { mailCommand } from './mail.js';
import { usageCommand } from './usage.js';

const USAGE = `Usage: stratus <command> [options]

invoke and logs use the "stratus" AWS CLI profile (or --profile, AWS_* variables, --endpoint).

Commands:
  start       Start Stratus in the foreground (all services on one port)
  invoke      Invoke a function and show its log tail and result:
                stratus invoke <function> [--payload JSON] [--qualifier Q]
  logs        Show a function's logs, optionally following them:
                stratus logs <function> [--follow] [--since 10m] [--filter PATTERN]
  usage       Show this month's Lambda requests, GB-seconds and estimated cost per function:
                stratus usage [--month YYYY-MM] [--json]
  mail        Read the mail SES accepted (the local inbox):
                stratus mail list [--to ADDR] [--from ADDR] [--limit N] [--json]
                stratus mail show <N|last|id> [--raw|--html|--json]
                stratus mail clear
  version     Print the version
  help        Show this help; \`stratus start --help\` lists every option
`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...args] = argv;
  switch (command) {
    case 'start':
      return start(args);
    case 'invoke':
    case 'logs':
      try {
        return await (command === 'invoke' ? invokeCommand : logsCommand)(args, processEnvironment());
      } catch (err) {
        console.error(`stratus ${command}: ${(err as Error).message}`);
        return 2;
      }
    case 'usage':
      try {
        return await usageCommand(args, processEnvironment());
      } catch (err) {
        console.error(`stratus usage: ${(err as Error).message}`);
        return 2;
      }
    case 'mail':
      try {
        return await mailCommand(args, processEnvironment());
      } catch (err) {
        console.error(`stratus mail: ${(err as Error).message}`);
        return 2;
      }
    case 'version':
    case '--version':
      console.log(VERSION);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`stratus: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function start(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: stratus start [options]\n\nEvery option can also be set with its environment variable or in a JSON config file.\n\nOptions:\n${optionsHelp()}\n`);
    return 0;
  }
  let loaded;
  try {
    loaded = configFromProcess(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`stratus: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (loaded.rest.length) {
    console.error(`stratus: unknown option or argument "${loaded.rest[0]}" (see stratus start --help)`);
    return 2;
  }
  const { config } = loaded;
  let stratus;
  try {
    stratus = await startStratus(config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(`stratus: cannot listen on ${config.host}:${config.port} (${code}); is another Stratus running? Use --port to pick another.`);
      return 1;
    }
    throw err;
  }
  const lines = [`Stratus ${VERSION} listening on ${stratus.url}`, `  account ${config.accountId}, data in ${config.dataDir}`];
  if (stratus.root.created) {
    lines.push('  Root credentials (stored in the data directory; keep them secret):');
    lines.push(`    aws_access_key_id     = ${stratus.root.accessKeyId}`);
    lines.push(`    aws_secret_access_key = ${stratus.root.secretAccessKey}`);
  } else {
    lines.push(`  Root access key id: ${stratus.root.accessKeyId}`);
  }
  if (config.profile) {
    await writeAwsProfile({
      dir: config.awsConfigDir,
      name: config.profileName,
      accessKeyId: stratus.root.accessKeyId,
      secretAccessKey: stratus.root.secretAccessKey,
      region: config.region,
      endpointUrl: config.publicUrl ?? stratus.url,
    });
    lines.push(`  AWS CLI profile "${config.profileName}" written to ${config.awsConfigDir}: try  aws --profile ${config.profileName} sts get-caller-identity`);
  }
  console.log(lines.join('\n'));
  if (config.examples) {
    await deployExamples(config.examples, { endpoint: config.publicUrl ?? stratus.url, accessKeyId: stratus.root.accessKeyId, secretAccessKey: stratus.root.secretAccessKey, region: config.region }, (line) => console.log(line));
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await stratus.close();
  return 0;
}
