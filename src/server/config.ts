/**
 * The only place that reads the process's environment for configuration:
 * the CLI hands over argv, and the schema in core/config.ts does the rest.
 */
import { loadConfig, type StratusConfig } from '../core/config.js';

export function configFromProcess(argv: string[]): { config: StratusConfig; rest: string[] } {
  return loadConfig(argv, process.env);
}

/** HOME for the AWS profile and default data directory, as the environment has it. */
export function homeDir(): string | undefined {
  return process.env.HOME;
}

/** The environment, for CLI commands that find credentials the way the AWS CLI does. */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
