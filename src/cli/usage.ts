/**
 * `stratus usage`: this month's Lambda usage per function (requests,
 * GB-seconds) and the bill AWS would send for it at public x86 prices, less
 * the free tier. A root-signed GET of /_stratus/usage.
 * https://aws.amazon.com/lambda/pricing/
 */
import { errorOf, resolveSettings, signedCall } from './client.js';
import { parseArgs } from './functions.js';

interface Report {
  month: string;
  functions: { region: string; functionName: string; requests: number; gbSeconds: number; costUsd: number }[];
  totals: { requests: number; gbSeconds: number; grossCostUsd: number; freeTier: { requests: number; gbSeconds: number }; estimatedCostUsd: number };
}

const usd = (n: number) => `$${n.toFixed(n < 0.01 && n > 0 ? 6 : 2)}`;

export function formatUsage(r: Report): string {
  const rows = [['FUNCTION', 'REGION', 'REQUESTS', 'GB-SECONDS', 'COST (before free tier)'], ...r.functions.map((f) => [f.functionName, f.region, String(f.requests), f.gbSeconds.toFixed(3), usd(f.costUsd)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = [`Lambda usage for ${r.month}`, ''];
  for (const row of rows) lines.push(row.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  if (r.functions.length === 0) lines.push('(no invocations this month)');
  const t = r.totals;
  lines.push('', `Total: ${t.requests} requests, ${t.gbSeconds.toFixed(3)} GB-seconds, ${usd(t.grossCostUsd)} before the free tier (${t.freeTier.requests.toLocaleString('en-US')} requests, ${t.freeTier.gbSeconds.toLocaleString('en-US')} GB-seconds)`);
  lines.push(`Estimated cost: ${usd(t.estimatedCostUsd)}`);
  return lines.join('\n');
}

export async function usageCommand(args: string[], env: NodeJS.ProcessEnv, out: (s: string) => void = console.log): Promise<number> {
  const { flags } = parseArgs(args, ['json']);
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const s = resolveSettings({ profile: str('profile'), endpoint: str('endpoint'), region: str('region') }, env);
  const month = str('month');
  const r = await signedCall(s, { service: 'sts', method: 'GET', path: '/_stratus/usage', query: month ? { month } : {} });
  if (r.status !== 200) throw new Error(errorOf(r));
  const report = JSON.parse(r.body.toString('utf8')) as Report;
  out(flags.json ? JSON.stringify(report, null, 2) : formatUsage(report));
  return 0;
}
