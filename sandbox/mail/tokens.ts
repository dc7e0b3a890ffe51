/**
 * Arguments of a command line (RFC 3501 §9): atoms, quoted strings, literals and parenthesised lists. An atom may
 * carry a bracketed section with spaces inside, like `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]<0.100>`.
 */

export type Token =
  { kind: 'atom'; value: string } | { kind: 'string'; value: Buffer } | { kind: 'list'; items: Token[] };

export class SyntaxError extends Error {}

/**
 * `texts[i]` is the line text before literal i (each ends with `{n}`); the last text follows the last literal.
 */
export function tokenize(texts: string[], literals: Buffer[]): Token[] {
  let segment = 0;
  let pos = 0;
  const peek = (): string => texts[segment][pos] ?? '';

  const readList = (): Token[] => {
    const items: Token[] = [];
    for (;;) {
      while (peek() === ' ') pos++;
      const c = peek();
      if (c === ')') {
        pos++;
        return items;
      }
      if (c === '') throw new SyntaxError('unterminated list');
      items.push(readToken());
    }
  };

  const readToken = (): Token => {
    const c = peek();
    if (c === '(') {
      pos++;
      return { kind: 'list', items: readList() };
    }
    if (c === '"') return { kind: 'string', value: Buffer.from(readQuoted(), 'utf8') };
    if (c === '{') {
      const m = /^\{(\d+)\+?\}$/.exec(texts[segment].slice(pos));
      if (!m || segment >= literals.length) throw new SyntaxError('bad literal');
      const value = literals[segment];
      segment++;
      pos = 0;
      return { kind: 'string', value };
    }
    return { kind: 'atom', value: readAtom() };
  };

  const readQuoted = (): string => {
    const text = texts[segment];
    let out = '';
    for (pos++; pos < text.length; pos++) {
      const c = text[pos];
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\') {
        pos++;
        if (text[pos] !== '"' && text[pos] !== '\\') throw new SyntaxError('bad escape');
      }
      out += text[pos];
    }
    throw new SyntaxError('unterminated string');
  };

  const readAtom = (): string => {
    const text = texts[segment];
    const start = pos;
    while (pos < text.length) {
      const c = text[pos];
      if (c === '[') {
        const close = text.indexOf(']', pos);
        if (close < 0) throw new SyntaxError('unterminated section');
        pos = close + 1;
        continue;
      }
      if (c === ' ' || c === '(' || c === ')' || c === '"' || c === '{') break;
      pos++;
    }
    if (pos === start) throw new SyntaxError('empty atom');
    return text.slice(start, pos);
  };

  const tokens: Token[] = [];
  for (;;) {
    if (pos >= texts[segment].length && segment >= literals.length) return tokens;
    const c = peek();
    if (c === ' ' && tokens.length > 0) {
      pos++;
      if (peek() === '' && segment >= literals.length) return tokens; // a trailing space is forgiven
      if (peek() === ' ' || peek() === '') throw new SyntaxError('stray space');
      tokens.push(readToken());
    } else if (tokens.length === 0) {
      tokens.push(readToken());
    } else {
      throw new SyntaxError(`unexpected ${JSON.stringify(c)}`);
    }
  }
}

/** An astring (atom, quoted or literal) as text; undefined for lists. */
export function text(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  if (token.kind === 'atom') return token.value;
  if (token.kind === 'string') return token.value.toString('utf8');
  return undefined;
}

export function isAtom(token: Token | undefined, value: string): boolean {
  return token?.kind === 'atom' && token.value.toUpperCase() === value;
}
