/**
 * A small XML parser for the instrument files that store their metadata as
 * XML (Bruker's .bcf HeaderData and .spx spectra): elements, attributes,
 * character data (with the predefined and numeric entities), CDATA sections;
 * comments, processing instructions and a DOCTYPE are skipped. No DTDs,
 * namespaces or external entities: none of these files use them, and a
 * reader must never fetch anything. Pure (no DOMParser, which Node lacks),
 * iterative (a deeply nested file cannot overflow the stack) and strict
 * about structure: a malformed document is an XmlError with the offset, for
 * the caller to turn into a FileFormatError naming the file.
 */

export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The character data directly inside this element (not its children's), entities decoded. */
  text: string;
}

export class XmlError extends Error {
  /** Character offset in the document where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at character ${offset})`);
    this.name = 'XmlError';
    this.offset = offset;
  }
}

export interface XmlParseOptions {
  /** Deepest element nesting accepted. @default 512 */
  maxDepth?: number;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

function decodeEntities(s: string, offset: number): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`unterminated entity '${whole}'`, offset);
    const named = NAMED_ENTITIES[body];
    if (named !== undefined) return named;
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (m) {
      const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
      if (code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        return String.fromCodePoint(code);
      }
    }
    throw new XmlError(`unknown entity '${whole}'`, offset);
  });
}

function isNameChar(c: number): boolean {
  // Anything but whitespace and the markup characters: lenient, as the files are.
  return !(
    c <= 0x20 ||
    c === 0x2f /* / */ ||
    c === 0x3e /* > */ ||
    c === 0x3d /* = */ ||
    c === 0x3c /* < */ ||
    c === 0x22 ||
    c === 0x27
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Parses `text` and returns its root element. */
export function parseXml(text: string, options: XmlParseOptions = {}): XmlElement {
  const maxDepth = options.maxDepth ?? 512;
  const n = text.length;
  const stack: { el: XmlElement; parts: string[] }[] = [];
  let root: XmlElement | undefined;
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new XmlError(message, at);
  };
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const readName = (): string => {
    const start = i;
    while (i < n && isNameChar(text.charCodeAt(i))) i++;
    if (i === start) fail('expected a name');
    return text.slice(start, i);
  };
  const skipPast = (marker: string, what: string): void => {
    const end = text.indexOf(marker, i);
    if (end < 0) fail(`unterminated ${what}`);
    i = end + marker.length;
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const chunk = text.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.parts.push(decodeEntities(chunk, i));
      else if (/[^\s\0]/.test(chunk)) {
        fail(root ? 'text after the root element' : 'text before the root element');
      }
    }
    if (lt < 0) break;
    i = lt + 1;
    if (i >= n) fail('unterminated tag');
    const c = text.charCodeAt(i);
    if (c === 0x21 /* ! */) {
      if (text.startsWith('!--', i)) {
        i += 3;
        skipPast('-->', 'comment');
      } else if (text.startsWith('![CDATA[', i)) {
        i += 8;
        const end = text.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA section');
        const top = stack[stack.length - 1];
        if (!top) fail('CDATA outside the root element');
        top!.parts.push(text.slice(i, end));
        i = end + 3;
      } else if (text.startsWith('!DOCTYPE', i)) {
        // Skip it, with an internal subset in brackets if there is one (entities in it are not expanded).
        let depth = 0;
        for (; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 0x5b) depth++;
          else if (d === 0x5d) depth--;
          else if (d === 0x3e && depth <= 0) break;
        }
        if (i >= n) fail('unterminated DOCTYPE');
        i++;
      } else fail('unknown markup declaration');
      continue;
    }
    if (c === 0x3f /* ? */) {
      skipPast('?>', 'processing instruction');
      continue;
    }
    if (c === 0x2f /* / */) {
      i++;
      const name = readName();
      skipSpace();
      if (text.charCodeAt(i) !== 0x3e) fail(`expected '>' to close </${name}`);
      i++;
      const top = stack.pop();
      if (!top) fail(`closing tag </${name}> without an opening tag`);
      if (top!.el.name !== name) fail(`closing tag </${name}> does not match <${top!.el.name}>`);
      top!.el.text = top!.parts.length === 1 ? top!.parts[0]! : top!.parts.join('');
      continue;
    }
    // A start tag.
    const tagStart = lt;
    const name = readName();
    const attributes: Record<string, string> = {};
    let selfClosing = false;
    for (;;) {
      skipSpace();
      if (i >= n) fail(`unterminated tag <${name}`, tagStart);
      const d = text.charCodeAt(i);
      if (d === 0x3e) {
        i++;
        break;
      }
      if (d === 0x2f) {
        if (text.charCodeAt(i + 1) !== 0x3e) fail(`expected '/>' in <${name}`);
        i += 2;
        selfClosing = true;
        break;
      }
      const attr = readName();
      skipSpace();
      if (text.charCodeAt(i) !== 0x3d) fail(`attribute '${attr}' of <${name}> has no value`);
      i++;
      skipSpace();
      const q = text.charCodeAt(i);
      if (q !== 0x22 && q !== 0x27) fail(`attribute '${attr}' of <${name}> is not quoted`);
      const end = text.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (end < 0) fail(`unterminated value of attribute '${attr}'`);
      if (Object.prototype.hasOwnProperty.call(attributes, attr)) {
        fail(`attribute '${attr}' repeated in <${name}>`);
      }
      attributes[attr] = decodeEntities(text.slice(i + 1, end), i);
      i = end + 1;
    }
    const el: XmlElement = { name, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.el.children.push(el);
    else if (root) fail('a second root element', tagStart);
    else root = el;
    if (!selfClosing) {
      if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth}`, tagStart);
      stack.push({ el, parts: [] });
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]!.el.name}>`, n);
  if (!root) fail('no root element', 0);
  return root!;
}

// --- bytes to text -------------------------------------------------------------------

/** Windows-1252's characters for bytes 0x80..0x9f (the rest is ISO-8859-1). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function singleByte(bytes: Uint8Array, cp1252: boolean): string {
  const out: string[] = [];
  const chunk = 8192;
  const codes = new Uint16Array(chunk);
  for (let at = 0; at < bytes.length; at += chunk) {
    const m = Math.min(chunk, bytes.length - at);
    for (let k = 0; k < m; k++) {
      const b = bytes[at + k]!;
      codes[k] = cp1252 && b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
    }
    out.push(String.fromCharCode.apply(null, codes.subarray(0, m) as unknown as number[]));
  }
  return out.join('');
}

/**
 * The text of an XML document's bytes, in the encoding its declaration names
 * (UTF-8 without one; Windows-1252 and ISO-8859-1 are decoded here, so the
 * result does not depend on the platform's ICU data).
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const head = singleByte(bytes.subarray(start, Math.min(bytes.length, start + 200)), false);
  const m = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  const encoding = (m?.[1] ?? 'utf-8').toLowerCase();
  const body = bytes.subarray(start);
  if (encoding === 'windows-1252' || encoding === 'cp1252') return singleByte(body, true);
  if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'us-ascii') {
    return singleByte(body, false);
  }
  return new TextDecoder('utf-8').decode(body);
}

// --- navigation helpers --------------------------------------------------------------

/** The first child element named `name`. */
export function xmlChild(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}

/** Every child element named `name`. */
export function xmlChildren(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of the child `name`, or undefined when there is no such child. */
export function xmlChildText(el: XmlElement | undefined, name: string): string | undefined {
  const c = xmlChild(el, name);
  return c === undefined ? undefined : c.text.trim();
}

/** Depth-first, document order: every element below `el` (not `el` itself) for which `test` holds. */
export function xmlFindAll(el: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const todo: XmlElement[] = [...el.children].reverse();
  while (todo.length > 0) {
    const e = todo.pop()!;
    if (test(e)) out.push(e);
    for (let k = e.children.length - 1; k >= 0; k--) todo.push(e.children[k]!);
  }
  return out;
}
