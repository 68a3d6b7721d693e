/**
 * Email addresses as SES reads them: mailboxes written `addr`, `Name <addr>`
 * or `"Quoted, Name" <addr>`, lists split on commas outside quotes and angle
 * brackets, and the checks behind SES's InvalidParameterValue messages
 * ("Missing final '@domain'", "Local address contains control or whitespace",
 * "Domain contains illegal character"), which come from the JavaMail address
 * parser SES runs.
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SendEmail.html
 * https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
 */

export interface Mailbox {
  /** The bare address, e.g. a@example.com. */
  address: string;
  /** The display name as written (may itself be an RFC 2047 encoded-word). */
  display?: string;
}

/** Splits an address list on commas that are not inside quotes, comments or angle brackets. */
export function splitAddressList(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < text.length) current += text[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') comment++;
    else if (ch === ')' && comment > 0) comment--;
    else if (ch === '<') angle++;
    else if (ch === '>' && angle > 0) angle--;
    else if (ch === ',' && angle === 0 && comment === 0) {
      if (current.trim()) out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** One mailbox; undefined when the text holds no address at all. */
export function parseMailbox(text: string): Mailbox | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const lt = trimmed.lastIndexOf('<');
  const gt = trimmed.lastIndexOf('>');
  if (lt !== -1 && gt > lt) {
    const address = trimmed.slice(lt + 1, gt).trim();
    let display = trimmed.slice(0, lt).trim();
    if (display.startsWith('"') && display.endsWith('"') && display.length >= 2) display = display.slice(1, -1).replace(/\\(.)/g, '$1');
    return display ? { address, display } : { address };
  }
  // A bare address may carry a trailing comment: a@b.c (Someone)
  const bare = trimmed.replace(/\s*\([^)]*\)\s*$/, '');
  return { address: bare };
}

/** Every mailbox of an address-list header value (To, Cc, Reply-To...). */
export function parseAddressList(text: string): Mailbox[] {
  return splitAddressList(text)
    .map(parseMailbox)
    .filter((m): m is Mailbox => m !== undefined && m.address !== '');
}

const LOCAL_FORBIDDEN = /[\s\x00-\x1f\x7f]/;
const DOMAIN_ALLOWED = /^[A-Za-z0-9.-]+$/;

/** SES's complaint about an address, or undefined when it is acceptable. */
export function addressProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at === -1) return "Missing final '@domain'";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!local) return 'Missing local name';
  if (!domain) return 'Missing domain';
  if (LOCAL_FORBIDDEN.test(local)) return 'Local address contains control or whitespace';
  if (!DOMAIN_ALLOWED.test(domain) || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) return 'Domain contains illegal character';
  return undefined;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** `user+label@example.com` → `user@example.com`: SES lets a verified address send with any label. */
export function withoutLabel(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  return plus === -1 ? address : `${local.slice(0, plus)}${address.slice(at)}`;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;

export function isDomainName(text: string): boolean {
  return DOMAIN_NAME.test(text);
}

/** The domain and each parent domain that could verify it: a.b.example.com, b.example.com, example.com. */
export function domainCandidates(domain: string): string[] {
  const labels = domain.toLowerCase().split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** The mailbox simulator's addresses are exempt from sandbox checks. https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html */
export function isSimulatorAddress(address: string): boolean {
  return domainOf(address).toLowerCase() === 'simulator.amazonses.com';
}
