// ptflow against a real Temporal server that requires mutual TLS (issue #14): the official server binary of the
// release temporal-docker/ deploys (scripts/ensure-temporal-server.sh builds it once into the per-user cache;
// the CLI's `temporal server start-dev` has no TLS flags), with a CA, a server and a client certificate made
// here with openssl, `requireClientAuth: true` on the frontend, and SQLite in memory as its store. Through the
// envconfig-based configuration (TEMPORAL_TLS_* variables and a temporal.toml profile):
//  - the API's client (connectConfiguredClient), the real `ptflow worker` process and a `ptflow schedules`
//    CLI command connect with the client certificate;
//  - without one, or with one from a CA the server does not trust, or in plaintext, they fail with one clear
//    line naming the address and what to set.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { msToTs } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../cli/config.js';
import { connectConfiguredClient } from '../../cli/services.js';
import { registerSearchAttributes } from '../../devtools/dev-server.js';
import { hasWorkflowPollers, type TemporalClientHandle } from '../../temporal/client.js';
import { TemporalConnectionError } from '../../temporal/connection-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';
import { productionConnectorEnv, productionKeyEnv } from '../helpers/production-env.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const NAMESPACE = 'ptflow-mtls';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-mtls-'));
const file = (name: string) => path.join(scratch, name);

let server: ChildProcess | undefined;
let address = '';
let db: TestDatabase;
let client: TemporalClientHandle | undefined;

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: scratch, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A P-256 key and a certificate for it signed by `ca` (or self-signed when `ca` is undefined). */
function certificate(name: string, subject: string, ext: string, ca?: string): void {
  fs.writeFileSync(file(`${name}.ext`), ext);
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.ec.key`);
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', `${name}.ec.key`, '-out', `${name}.key`);
  if (ca === undefined) {
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      subject,
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extensions',
      'v3',
      '-config',
      `${name}.ext`,
    );
    return;
  }
  openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  );
}

const caExt = [
  '[req]',
  'distinguished_name = dn',
  '[dn]',
  '[v3]',
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  '',
].join('\n');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function serverConfig(ports: Record<string, number>): string {
  const sqlite = (name: string) => `
    ${name}:
      sql:
        pluginName: sqlite
        databaseName: ${name}
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes:
          mode: memory
          cache: private
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h`;
  const service = (name: string, grpc: number, membership: number, extra = '') => `
  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: 127.0.0.1${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:${sqlite('sqlite-default')}${sqlite('sqlite-visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  tls:
    frontend:
      server:
        certFile: ${file('server.pem')}
        keyFile: ${file('server.key')}
        requireClientAuth: true
        clientCaFiles:
          - ${file('ca.pem')}
      client:
        serverName: localhost
        rootCaFiles:
          - ${file('ca.pem')}
    systemWorker:
      certFile: ${file('client.pem')}
      keyFile: ${file('client.key')}
      client:
        serverName: localhost
        rootCaFiles:
          - ${file('ca.pem')}
services:${service('frontend', ports.frontend!, ports.frontendMembership!, `\n      httpPort: ${ports.http}`)}${service('history', ports.history!, ports.historyMembership!)}${service('matching', ports.matching!, ports.matchingMembership!)}${service('worker', ports.worker!, ports.workerMembership!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontend}
      httpAddress: 127.0.0.1:${ports.http}
dcRedirectionPolicy:
  policy: noop
`;
}

/** The connection variables a deployment sets for this server; `without` drops some of them. */
function temporalEnv(...without: string[]): Record<string, string> {
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key'),
  };
  for (const name of without) delete env[name];
  return env;
}

function configFor(env: Record<string, string>): Config {
  return loadConfig({ HOME: scratch, PTFLOW_DATA_DIR: scratch, ...env }, root);
}

async function connectError(config: Config): Promise<TemporalConnectionError> {
  const result = await connectConfiguredClient(config).then(
    async (handle) => {
      await handle.close();
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(result).toBeInstanceOf(TemporalConnectionError);
  return result as TemporalConnectionError;
}

beforeAll(async () => {
  // The official server of temporal-docker's release (cached; the first build takes many minutes).
  const ensure = await promisify(execFile)(
    'bash',
    [path.join(root, 'scripts', 'ensure-temporal-server.sh')],
    {
      timeout: 40 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const binary = ensure.stdout.trim().split('\n').at(-1) ?? '';
  expect(fs.existsSync(binary), binary).toBe(true);

  const serverExt =
    'subjectAltName = DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth\nkeyUsage = critical, digitalSignature\n';
  const clientExt = 'extendedKeyUsage = clientAuth\nkeyUsage = critical, digitalSignature\n';
  certificate('ca', '/CN=ptflow test CA', caExt);
  certificate('server', '/CN=localhost', serverExt, 'ca');
  certificate('client', '/CN=ptflow-worker', clientExt, 'ca');
  // A certificate from a CA the server does not trust.
  certificate('rogue-ca', '/CN=rogue CA', caExt);
  certificate('rogue', '/CN=ptflow-worker', clientExt, 'rogue-ca');

  const names = ['frontend', 'frontendMembership', 'http', 'history', 'historyMembership', 'matching'];
  names.push('matchingMembership', 'worker', 'workerMembership');
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await freePort();
  address = `127.0.0.1:${ports.frontend}`;
  fs.mkdirSync(file('config'));
  fs.writeFileSync(file('config/test.yaml'), serverConfig(ports));

  const log = fs.openSync(file('server.log'), 'w');
  server = spawn(
    binary,
    ['--root', scratch, '--config', 'config', '--env', 'test', '--allow-no-auth', 'start'],
    {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    },
  );
  fs.closeSync(log);

  // Up when a client with the certificate gets an answer; then ptflow's namespace and search attributes.
  const good = configFor(temporalEnv());
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      client = await connectConfiguredClient({ ...good, TEMPORAL_NAMESPACE: 'temporal-system' });
      break;
    } catch (err) {
      if (server.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `Temporal server did not come up (${String(err)}):\n${fs.readFileSync(file('server.log'), 'utf8').slice(-3000)}`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  await client.client.workflowService.registerNamespace({
    namespace: NAMESPACE,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  await client.close();
  client = await connectConfiguredClient(good);
  const handle = client;
  // The namespace cache of the frontend picks the new namespace up within seconds.
  for (let attempt = 0; ; attempt++) {
    const found = await handle.client.workflowService.describeNamespace({ namespace: NAMESPACE }).then(
      () => true,
      () => false,
    );
    if (found) break;
    if (attempt > 120) throw new Error(`namespace ${NAMESPACE} did not appear`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await registerSearchAttributes(handle.connection, NAMESPACE);
  db = await createTestDatabase();
}, 45 * 60_000);

afterAll(async () => {
  await client?.close();
  await db?.drop();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe(
  'Temporal over mutual TLS (official server, client certificates required)',
  { timeout: 180_000 },
  () => {
    it('the API client connects with the client certificate from TEMPORAL_TLS_* and sees the namespace', async () => {
      const described = await client!.client.workflowService.describeNamespace({ namespace: NAMESPACE });
      expect(described.namespaceInfo?.name).toBe(NAMESPACE);
      const info = await client!.client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^1\.29\./);
    });

    it('refuses a client without a certificate, with one from an untrusted CA, and in plaintext: one clear line each', async () => {
      const noCert = await connectError(
        configFor(temporalEnv('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH')),
      );
      expect(noCert.message.split('\n')).toHaveLength(1);
      expect(noCert.message).toContain(`cannot connect to Temporal at ${address}`);
      expect(noCert.message).toContain('TLS without client certificate');
      expect(noCert.message).toContain(
        'the server requires a client certificate (mutual TLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
      );

      const rogue = await connectError(
        configFor({
          ...temporalEnv(),
          TEMPORAL_TLS_CLIENT_CERT_PATH: file('rogue.pem'),
          TEMPORAL_TLS_CLIENT_KEY_PATH: file('rogue.key'),
        }),
      );
      expect(rogue.message).toContain('TLS with client certificate');
      expect(rogue.message).toContain('the server refused the client certificate');

      const plain = await connectError(
        configFor({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: NAMESPACE }),
      );
      expect(plain.message).toContain('plaintext');
      expect(plain.message).toContain('the server speaks TLS: set TEMPORAL_TLS=true');
      // A server CA this side does not know: the server's certificate is not trusted.
      const unknownCa = await connectError(
        configFor({ ...temporalEnv(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('rogue-ca.pem') }),
      );
      expect(unknownCa.message).toContain("the server's certificate is not trusted or does not match");
      expect(plain.message.split('\n')).toHaveLength(1);
    });

    it('the real `ptflow worker` (production, all connectors) polls over mTLS; without the certificate it exits with one line', async () => {
      const keyFile = file('emr-smart-private-key.pem');
      fs.writeFileSync(
        keyFile,
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }),
        { mode: 0o600 },
      );
      const taskQueue = uniqueTaskQueue('mtls');
      const env = (temporal: Record<string, string>) => ({
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: scratch,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PTFLOW_DATA_DIR: scratch,
        DATABASE_URL: db.url,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PTFLOW_SCHEDULES: 'off',
        ...productionKeyEnv(),
        ...productionConnectorEnv(keyFile),
        ...temporal,
      });

      const refused = await promisify(execFile)(tsx, ['cli/main.ts', 'worker'], {
        cwd: root,
        env: env(temporalEnv('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH')),
        timeout: 120_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
      );
      expect(refused.code).toBe(1);
      const lines = refused.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(
        /^ptflow: cannot connect to Temporal at 127\.0\.0\.1:\d+ \(namespace ptflow-mtls, TLS without client certificate/,
      );
      expect(lines.at(-1)).toContain('the server requires a client certificate (mutual TLS)');

      const child = spawn(tsx, ['cli/main.ts', 'worker'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: env(temporalEnv()),
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await expect
          .poll(() => stderr, { timeout: 120_000, interval: 250 })
          .toContain(
            `worker polling task queue ${taskQueue} on ${address} (namespace ${NAMESPACE}, TLS with client certificate`,
          );
        // Seen by the server: the API's /readyz advisory asks exactly this.
        await expect
          .poll(() => hasWorkflowPollers(client!.client, taskQueue), { timeout: 60_000 })
          .toBe(true);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });

    it('a CLI command connects through a temporal.toml profile (TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE)', async () => {
      const toml = file('temporal.toml');
      fs.writeFileSync(
        toml,
        [
          '[profile.default]',
          'address = "127.0.0.1:1"',
          '[profile.mtls]',
          `address = "${address}"`,
          `namespace = "${NAMESPACE}"`,
          '[profile.mtls.tls]',
          `client_cert_path = "${file('client.pem')}"`,
          `client_key_path = "${file('client.key')}"`,
          `server_ca_cert_path = "${file('ca.pem')}"`,
          'server_name = "localhost"',
          '',
        ].join('\n'),
      );
      const run = (extra: Record<string, string>) =>
        promisify(execFile)(tsx, ['cli/main.ts', 'schedules', 'ensure'], {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: scratch,
            PTFLOW_DATA_DIR: scratch,
            TEMPORAL_CONFIG_FILE: toml,
            ...extra,
          },
          timeout: 120_000,
        });
      const ensured = await run({ TEMPORAL_PROFILE: 'mtls' });
      expect(ensured.stdout).toMatch(/created|updated|unchanged/);
      const schedules = await client!.client.workflowService.listSchedules({ namespace: NAMESPACE });
      expect(schedules.schedules?.length ?? 0).toBeGreaterThan(0);
    });
  },
);
