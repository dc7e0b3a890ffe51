/**
 * Outlook keeps event bodies as HTML even when they were written as text. The canonical body is plain text, so
 * HTML is reduced to its visible text: line structure kept, markup and head/style/script content dropped.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const BLOCK = /^(p|div|li|tr|h[1-6]|table|ul|ol|blockquote|pre|body|section|article|header|footer)$/i;

/**
 * Block elements start a new line only where one is not already started (so <div>a</div><div>b</div> is two
 * lines, not three); <br> always breaks; list items get a "- " marker.
 */
export function htmlToText(html: string): string {
  const cleaned = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  let out = '';
  const softBreak = () => {
    if (!/(^|\n)[ \t]*$/.test(out)) out += '\n';
    else out = out.replace(/[ \t]+$/, '');
  };
  for (const token of cleaned.split(/(<[^>]*>)/)) {
    if (!token) continue;
    const tag = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(token);
    if (token.startsWith('<') && tag) {
      const name = tag[2].toLowerCase();
      if (name === 'br') out += '\n';
      else if (BLOCK.test(name)) {
        softBreak();
        if (name === 'li' && tag[1] !== '/') out += '- ';
      }
      continue;
    }
    // Source line breaks are not visible in HTML; only tags make lines.
    out += decodeEntities(token.replace(/\r?\n/g, ' '));
  }
  return out
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .trim();
}

/** Normalises a plain-text body the same way whichever side it came from. */
export function normalizePlainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/g, ''))
    .join('\n')
    .trim();
}
