/** The small XML parser (core/src/io/xml.ts) the Bruker readers use. */
import { describe, expect, it } from 'vitest';
import {
  decodeXmlBytes,
  parseXml,
  XmlError,
  xmlChild,
  xmlChildText,
  xmlChildren,
  xmlFindAll,
} from '../../../core/src/io/xml.js';

describe('parseXml', () => {
  it('elements, attributes, text, entities, CDATA; comments, PIs and DOCTYPE skipped', () => {
    const root = parseXml(
      `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><!-- c --><a k="1 &amp; 2" j='q'>` +
        `<b>x &lt; y &#65;&#x42;</b><b/><c><![CDATA[<not a tag> & ]]></c><?pi data?></a>  \n`,
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ k: '1 & 2', j: 'q' });
    expect(xmlChildren(root, 'b')).toHaveLength(2);
    expect(xmlChildText(root, 'b')).toBe('x < y AB');
    expect(xmlChild(root, 'c')!.text).toBe('<not a tag> & ');
    expect(xmlChildText(root, 'missing')).toBeUndefined();
    expect(xmlFindAll(root, (e) => e.name === 'b')).toHaveLength(2);
  });

  it.each([
    ['<a><b></a>', /does not match/],
    ['<a>', /unclosed element <a>/],
    ['<a></a><b/>', /second root/],
    ['text<a/>', /text before the root/],
    ['<a x=1/>', /not quoted/],
    ['<a x="1" x="2"/>', /repeated/],
    ['<a>&bogus;</a>', /unknown entity/],
    ['<a>&amp</a>', /unterminated entity/],
    ['', /no root element/],
    ['<a><!-- open', /unterminated comment/],
  ])('%s is an XmlError (%s)', (text, message) => {
    expect(() => parseXml(text)).toThrow(XmlError);
    expect(() => parseXml(text)).toThrow(message);
  });

  it('deep nesting is refused without exhausting the stack', () => {
    const deep = `${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`;
    expect(() => parseXml(deep)).toThrow(/nested deeper than 512/);
    expect(parseXml(deep, { maxDepth: 300_000 }).name).toBe('a');
  });

  it('decodes Windows-1252, ISO-8859-1 and UTF-8 as declared', () => {
    const head = (enc: string): number[] => [
      ...Buffer.from(`<?xml version="1.0" encoding="${enc}"?><a>`),
    ];
    const tail = [...Buffer.from('</a>')];
    const cp1252 = new Uint8Array([...head('WINDOWS-1252'), 0x80, 0xb5, 0x6d, ...tail]);
    expect(parseXml(decodeXmlBytes(cp1252)).text).toBe('€µm');
    const latin1 = new Uint8Array([...head('ISO-8859-1'), 0x80, 0xb5, ...tail]);
    expect(parseXml(decodeXmlBytes(latin1)).text).toBe('\u0080µ');
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('<a>µm</a>')]);
    expect(parseXml(decodeXmlBytes(utf8)).text).toBe('µm');
  });
});
