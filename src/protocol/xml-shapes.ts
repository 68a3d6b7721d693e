/**
 * Shape-driven XML for the query protocol's responses and rest-xml bodies:
 * writes a value as elements (lists wrapped in `member` or flattened, maps as
 * `entry/key/value`, xmlAttribute and xmlNamespace traits) and reads a parsed
 * document back into a typed value. Naming follows botocore's XML rules.
 * https://smithy.io/2.0/spec/protocol-traits.html#xml-bindings
 */
import { memo, serializedName, type Shape, type TimestampFormat } from './model.js';
import { formatText, parseText, type BadInput } from './scalars.js';
import { escapeXml, escapeXmlAttr, type XmlNode } from './xml.js';

export interface XmlWriteOptions {
  /** Keep ".000" in ISO timestamps (S3 does, IAM does not). */
  millis: boolean;
  tsDefault: TimestampFormat;
}

interface XmlMember {
  name: string;
  shape: Shape;
  xmlName: string;
}

/** Body members (no HTTP location) with their element names, computed once per structure. */
function xmlMembers(shape: Shape): XmlMember[] {
  return memo(shape, 'xml', () =>
    Object.entries(shape.members)
      .filter(([, m]) => m.location === undefined)
      .map(([name, m]) => ({ name, shape: m, xmlName: serializedName(m, name) })),
  );
}

export function namespaceAttr(ns: Shape['xmlNamespace'] | string | undefined): string {
  if (!ns) return '';
  if (typeof ns === 'string') return ` xmlns="${escapeXmlAttr(ns)}"`;
  if (!ns.uri) return '';
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXmlAttr(ns.uri)}"` : ` xmlns="${escapeXmlAttr(ns.uri)}"`;
}

/** The children of a structure element, without the element itself. */
export function structureBody(shape: Shape, value: Record<string, unknown>, opts: XmlWriteOptions): string {
  let body = '';
  for (const m of xmlMembers(shape)) {
    const v = value[m.name];
    if (v === undefined || v === null || m.shape.xmlAttribute) continue;
    body += xmlElement(m.shape, v, m.xmlName, opts);
  }
  return body;
}

function structureAttrs(shape: Shape, value: Record<string, unknown>, opts: XmlWriteOptions): string {
  let attrs = '';
  for (const m of xmlMembers(shape)) {
    if (!m.shape.xmlAttribute) continue;
    const v = value[m.name];
    if (v === undefined || v === null) continue;
    attrs += ` ${m.xmlName}="${escapeXmlAttr(formatText(m.shape, v, opts.tsDefault, opts.millis))}"`;
  }
  return attrs;
}

/** One element named `name` holding `value`; flattened lists and maps yield several siblings. */
export function xmlElement(shape: Shape, value: unknown, name: string, opts: XmlWriteOptions, rootAttrs = ''): string {
  switch (shape.type) {
    case 'structure': {
      const v = (value ?? {}) as Record<string, unknown>;
      const attrs = rootAttrs + namespaceAttr(shape.xmlNamespace) + structureAttrs(shape, v, opts);
      return `<${name}${attrs}>${structureBody(shape, v, opts)}</${name}>`;
    }
    case 'list': {
      const items = Array.isArray(value) ? value : [value];
      const member = shape.member!;
      let out = '';
      if (shape.flattened) {
        for (const item of items) if (item !== undefined && item !== null) out += xmlElement(member, item, name, opts);
        return out;
      }
      const itemName = member.locationName ?? 'member';
      for (const item of items) if (item !== undefined && item !== null) out += xmlElement(member, item, itemName, opts);
      return `<${name}${rootAttrs}${namespaceAttr(shape.xmlNamespace)}>${out}</${name}>`;
    }
    case 'map': {
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      let out = '';
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (v === undefined || v === null) continue;
        const entry = `<${keyName}>${escapeXml(k)}</${keyName}>${xmlElement(shape.value!, v, valueName, opts)}`;
        out += shape.flattened ? `<${name}>${entry}</${name}>` : `<entry>${entry}</entry>`;
      }
      return shape.flattened ? out : `<${name}${rootAttrs}>${out}</${name}>`;
    }
    default:
      return `<${name}${rootAttrs}${namespaceAttr(shape.xmlNamespace)}>${escapeXml(formatText(shape, value, opts.tsDefault, opts.millis))}</${name}>`;
  }
}

function childIndex(node: XmlNode): Map<string, XmlNode[]> {
  const index = new Map<string, XmlNode[]>();
  for (const child of node.children) {
    const list = index.get(child.name);
    if (list) list.push(child);
    else index.set(child.name, [child]);
  }
  return index;
}

/** Reads an element (or, for flattened lists and maps, the sibling elements) as the shape's value. */
export function readXml(shape: Shape, node: XmlNode, bad: BadInput, where: string): unknown {
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const index = childIndex(node);
      for (const m of xmlMembers(shape)) {
        const path = where ? `${where}.${m.name}` : m.name;
        if (m.shape.xmlAttribute) {
          const attr = node.attrs?.[m.xmlName];
          if (attr !== undefined) out[m.name] = parseText(m.shape, attr, bad, path);
          continue;
        }
        const nodes = index.get(m.xmlName);
        if (!nodes) continue;
        if (m.shape.flattened && m.shape.type === 'list') {
          out[m.name] = nodes.map((n, i) => readXml(m.shape.member!, n, bad, `${path}.${i + 1}`));
        } else if (m.shape.flattened && m.shape.type === 'map') {
          out[m.name] = readMapEntries(m.shape, nodes, bad, path);
        } else {
          out[m.name] = readXml(m.shape, nodes[0]!, bad, path);
        }
      }
      return out;
    }
    case 'list': {
      const itemName = shape.member!.locationName ?? 'member';
      const items: unknown[] = [];
      for (const child of node.children) {
        if (child.name === itemName) items.push(readXml(shape.member!, child, bad, `${where}.${items.length + 1}`));
      }
      return items;
    }
    case 'map':
      return readMapEntries(
        shape,
        node.children.filter((c) => c.name === 'entry'),
        bad,
        where,
      );
    default:
      return parseText(shape, node.text, bad, where);
  }
}

function readMapEntries(shape: Shape, entries: XmlNode[], bad: BadInput, where: string): Record<string, unknown> {
  const keyName = shape.key?.locationName ?? 'key';
  const valueName = shape.value?.locationName ?? 'value';
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    let key: string | undefined;
    let valueNode: XmlNode | undefined;
    for (const c of entry.children) {
      if (c.name === keyName) key = c.text;
      else if (c.name === valueName) valueNode = c;
    }
    if (key === undefined) throw bad(`A map entry at '${where}' has no key`);
    out[key] = valueNode ? readXml(shape.value!, valueNode, bad, `${where}.${key}`) : undefined;
  }
  return out;
}
