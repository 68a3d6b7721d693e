/**
 * One delivery attempt to an HTTP/S endpoint: a POST that must answer within
 * 15 seconds. As on AWS, an answer from 200 to 499 counts as delivered;
 * a 5xx, a timeout or a connection that fails is a failed attempt that the
 * delivery policy may retry. Redirects are not followed. HTTPS endpoints must
 * present a certificate Node trusts, as SNS requires one from a trusted CA.
 * https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const HTTP_TIMEOUT_MS = 15_000;

export type HttpOutcome = { delivered: true; status: number } | { delivered: false; status?: number; error: string };

export function postMessage(url: string, body: string, headers: Record<string, string>, timeoutMs = HTTP_TIMEOUT_MS): Promise<HttpOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ delivered: false, error: `invalid endpoint URL ${url}` });
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) }, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      // The answer's body says nothing SNS reads; it is drained so the socket closes cleanly.
      res.resume();
      res.on('end', () => done(status >= 200 && status < 500 ? { delivered: true, status } : { delivered: false, status, error: `HTTP ${status}` }));
      res.on('error', (err) => done({ delivered: false, status, error: err.message }));
    });
    const timer = setTimeout(() => {
      done({ delivered: false, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      req.destroy();
    }, timeoutMs);
    timer.unref();
    req.on('error', (err) => done({ delivered: false, error: err.message }));
    req.end(payload);
  });
}
