/**
 * IPv4 and IPv6 addresses and CIDR ranges for the IpAddress / NotIpAddress
 * condition operators. Every address is held as 16 bytes, IPv4 ones in their
 * IPv4-mapped form (::ffff:a.b.c.d), so an IPv4 range also matches the same
 * address written as IPv4-mapped IPv6. A range without a prefix length is a
 * single address (/32 or /128).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */

export interface Cidr {
  bytes: Uint8Array;
  /** Prefix length over the 128-bit form. */
  bits: number;
}

function parseV4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

/** Parses an IPv4 or IPv6 address into 16 bytes; undefined when it is not one. */
export function parseIp(input: string): Uint8Array | undefined {
  const text = input.trim();
  const out = new Uint8Array(16);
  if (!text.includes(':')) {
    out[10] = 0xff;
    out[11] = 0xff;
    return parseV4(text, out, 12) ? out : undefined;
  }
  let body = text.replace(/%.*$/, '');
  // A trailing dotted quad (::ffff:192.0.2.1) supplies the last two groups.
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const quad = new Uint8Array(4);
    if (!parseV4(body.slice(lastColon + 1), quad, 0)) return undefined;
    tail = [(quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Parses `203.0.113.0/24`, `2001:DB8:1234:5678::/64` or a bare address. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const v4 = !addr.includes(':');
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { bytes, bits: v4 ? prefix + 96 : prefix };
}

export function cidrContains(range: Cidr, ip: Uint8Array): boolean {
  let bits = range.bits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}
