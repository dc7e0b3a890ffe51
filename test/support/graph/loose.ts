/** Test helpers for JSON and errors whose shape the test asserts itself. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export const readJson = async (res: Response): Promise<Loose> => res.json();

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function failureOf(promise: Promise<unknown>): Promise<Loose> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}
