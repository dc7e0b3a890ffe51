import { type QueryInput, readQueryValue } from '../query';

export interface ValidationResponse {
  status: 200 | 400;
  contentType: 'text/plain';
  headers: Record<string, string>;
  body: string;
}

export const MAX_VALIDATION_TOKEN_LENGTH = 1024;

/*
 * Escaping: Graph requires the decoded token back byte for byte, so HTML-escaping it would fail the handshake.
 * The echo is made harmless instead by how it is served: text/plain plus `nosniff`, so no browser renders it as
 * HTML or script. The query parser has already percent-decoded it once; decoding again would be wrong.
 */
const PLAIN_TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
};

const answer = (status: 200 | 400, body: string): ValidationResponse => ({
  status,
  contentType: 'text/plain',
  headers: { ...PLAIN_TEXT_HEADERS },
  body,
});

/**
 * The subscription handshake (Microsoft Graph's documentation): answers when the request carries `validationToken`,
 * undefined otherwise (then it is a notification batch). Check this before the JSON content-type check, since
 * Graph sends the handshake as text/plain.
 */
export function validationResponse(query: QueryInput): ValidationResponse | undefined {
  const token = readQueryValue(query, 'validationToken');
  if (!token.present) return undefined;
  if ('repeated' in token) return answer(400, 'validationToken is repeated');
  if (token.value.length === 0) return answer(400, 'validationToken is empty');
  if (token.value.length > MAX_VALIDATION_TOKEN_LENGTH) return answer(400, 'validationToken is too long');
  return answer(200, token.value);
}
