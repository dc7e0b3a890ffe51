/** A form of the page is a few hundred bytes; a larger body is not read, and the post is refused. */
export const MAX_FORM_BYTES = 8 * 1024;

/** The POSTed form, or an empty one when it is not a form or too large (the CSRF check then refuses it). */
export async function readStatusForm(request: {
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  const length = Number(request.headers.get('content-length') ?? '0');
  if (!type.startsWith('application/x-www-form-urlencoded') || length > MAX_FORM_BYTES)
    return new URLSearchParams();
  const text = await request.text();
  return text.length > MAX_FORM_BYTES ? new URLSearchParams() : new URLSearchParams(text);
}
