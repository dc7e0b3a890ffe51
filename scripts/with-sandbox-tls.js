#!/usr/bin/env node
/**
 * Runs a command with the sandbox's self-signed TLS certificate trusted. The fake Graph speaks HTTPS like the real
 * one; Node reads NODE_EXTRA_CA_CERTS only at process start, so the certificate is made (once, for 127.0.0.1 and
 * localhost) before the command starts. The command also gets the process settings a deployment gives the app
 * (worker-process-env.js): its environment, and when the command is node itself (npm start, npm run bench), its
 * Node arguments too. Usage: node scripts/with-sandbox-tls.js <command> [args...]
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { WORKER_NODE_ARGUMENTS, WORKER_PROCESS_ENV } = require('./worker-process-env');

const dir = path.join(__dirname, '..', '.sandbox', 'tls');
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');

async function ensureCertificate() {
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const { X509Certificate } = require('node:crypto');
    const cert = new X509Certificate(fs.readFileSync(certFile));
    if (Date.parse(cert.validTo) > Date.now() + 7 * 24 * 3600e3) return;
  }
  const selfsigned = require('selfsigned');
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 1);
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert);
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: with-sandbox-tls <command> [args...]');
    process.exit(2);
  }
  await ensureCertificate();
  const env = {
    // The deployment's process settings, unless the caller chose otherwise (scripts/worker-process-env.js).
    ...WORKER_PROCESS_ENV,
    ...process.env,
    NODE_EXTRA_CA_CERTS: certFile,
    SANDBOX_TLS_CERT: certFile,
    SANDBOX_TLS_KEY: keyFile,
  };
  const child = spawn(command, withNodeArguments(command, args), {
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** A node command gets the deployment's Node arguments, except those the caller gave a value of its own. */
function withNodeArguments(command, args) {
  const isNode = command === process.execPath || path.basename(command).replace(/\.exe$/i, '') === 'node';
  if (!isNode) return args;
  const nameOf = (arg) => arg.split('=')[0].replace(/_/g, '-');
  const given = new Set(args.filter((arg) => arg.startsWith('--')).map(nameOf));
  return [...WORKER_NODE_ARGUMENTS.filter((arg) => !given.has(nameOf(arg))), ...args];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
