import { validationResponse } from '../../../shared/ingress/graph/validation';

describe('validationResponse', () => {
  it('is undefined when there is no validationToken (a notification batch)', () => {
    expect(validationResponse(new URLSearchParams('tenant=abc'))).toBeUndefined();
    expect(validationResponse({})).toBeUndefined();
  });

  it('echoes the percent-decoded token verbatim as text/plain with nosniff', () => {
    const query = new URLSearchParams(
      'validationToken=Validation%3A%20Testing%20client%20application%20reachability',
    );
    expect(validationResponse(query)).toEqual({
      status: 200,
      contentType: 'text/plain',
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
      body: 'Validation: Testing client application reachability',
    });
  });

  it('does not HTML-escape or decode twice (Graph compares the exact token)', () => {
    const token = '<script>alert(1)</script> %41 & "x"';
    const query = new URLSearchParams({ validationToken: token });
    expect(validationResponse(query)).toMatchObject({ status: 200, body: token, contentType: 'text/plain' });
  });

  it('accepts a token of exactly 1024 characters and refuses 1025 with 400', () => {
    expect(validationResponse({ validationToken: 'a'.repeat(1024) })).toMatchObject({ status: 200 });
    expect(validationResponse({ validationToken: 'a'.repeat(1025) })).toMatchObject({
      status: 400,
      contentType: 'text/plain',
    });
  });

  it('refuses an empty or repeated token with 400 and does not echo it', () => {
    expect(validationResponse(new URLSearchParams('validationToken='))).toMatchObject({ status: 400 });
    const repeated = validationResponse(new URLSearchParams('validationToken=a1&validationToken=b2'));
    expect(repeated).toMatchObject({ status: 400 });
    expect(repeated!.body).not.toMatch(/a1|b2/);
  });
});
