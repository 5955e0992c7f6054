import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface AppNode {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then wait for the exit */
  stop(): Promise<void>;
  /** kill -9: the node dies between any two writes */
  crash(): Promise<void>;
}

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** Starts the built service (`dist/`, built by `npm test`) as its own process. */
export function startNode(env: Record<string, string>, timeoutMs = 30_000): Promise<AppNode> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DEMO_USERS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node = (url: string): AppNode => ({
    url,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    crash: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  });
  return new Promise<AppNode>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(node(match[1].replace('localhost', '127.0.0.1')));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${output}`));
    });
  });
}
