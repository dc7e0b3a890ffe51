/**
 * Reads one app password from standard input. On a terminal nothing is echoed (raw mode, the keys are collected
 * here); from a pipe the first line is taken, so `printf '%s\n' "$PW" | npm run mail:app-passwords -- --set …` works.
 */

export interface PasswordInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  resume(): unknown;
  pause(): unknown;
}

export function readPassword(input: PasswordInput, prompt: (text: string) => void): Promise<string> {
  if (input.isTTY && input.setRawMode) return readHidden(input, prompt);
  return readFirstLine(input);
}

function readHidden(input: PasswordInput, prompt: (text: string) => void): Promise<string> {
  prompt('App password (not shown): ');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.setRawMode!(false);
      input.removeAllListeners('data');
      input.pause();
      prompt('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    input.setRawMode!(true);
    input.resume();
    input.on('data', (chunk) => {
      for (const c of chunk.toString()) {
        if (c === '\r' || c === '\n') return finish();
        if (c === '\u0003' || c === '\u0004') return finish(new Error('cancelled; nothing was written'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    });
  });
}

function readFirstLine(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      input.removeAllListeners('data');
      input.removeAllListeners('end');
      input.pause();
      resolve(text.split(/\r?\n/)[0]);
    };
    input.on('data', (chunk) => {
      text += chunk.toString();
      if (/\r?\n/.test(text)) done();
    });
    input.on('end', done);
    input.on('error', reject);
    input.resume();
  });
}
