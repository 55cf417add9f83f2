// The client (out/extension.js, from `npm run compile`) against stand-ins for the
// `vscode` API and vscode-languageclient: it starts `afc lsp` with the binary of the
// setting `afc.path`, for `af` documents, and restarts it when the setting changes or on
// the restart command. Run with `node --test`.

const assert = require('node:assert/strict');
const Module = require('node:module');
const path = require('node:path');
const { test } = require('node:test');

/** Loads the extension with fresh stand-ins; returns them. */
function load(settings = {}) {
  const world = {
    settings: { ...settings },
    clients: [],
    commands: new Map(),
    configListeners: [],
    errors: [],
    failStart: false,
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false, stopped: false });
      world.clients.push(this);
    }
    async start() {
      if (world.failStart) throw new Error('spawn afc ENOENT');
      this.running = true;
    }
    isRunning() {
      return this.running;
    }
    async stop() {
      this.running = false;
      this.stopped = true;
    }
  }
  const vscode = {
    workspace: {
      getConfiguration: (section) => ({
        get: (key, fallback) => world.settings[`${section}.${key}`] ?? fallback,
      }),
      createFileSystemWatcher: (glob) => ({ glob }),
      onDidChangeConfiguration: (listener) => {
        world.configListeners.push(listener);
        return { dispose() {} };
      },
    },
    window: {
      createOutputChannel: (name) => ({ name, dispose() {} }),
      showErrorMessage: (message) => world.errors.push(message),
    },
    commands: {
      registerCommand: (id, callback) => {
        world.commands.set(id, callback);
        return { dispose() {} };
      },
    },
  };
  const stubs = { vscode, 'vscode-languageclient/node': { LanguageClient } };
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return request in stubs ? stubs[request] : original.call(this, request, ...rest);
  };
  const file = path.join(__dirname, '..', 'out', 'extension.js');
  try {
    delete require.cache[require.resolve(file)];
    world.extension = require(file);
  } finally {
    Module._load = original;
  }
  world.context = { subscriptions: [] };
  world.changeConfiguration = async (section) => {
    for (const listener of world.configListeners) await listener({ affectsConfiguration: (s) => s === section });
  };
  return world;
}

test('activate starts `afc lsp` over stdio for af documents', async () => {
  const world = load();
  await world.extension.activate(world.context);
  assert.equal(world.clients.length, 1);
  const [client] = world.clients;
  assert.equal(client.id, 'afc');
  assert.deepEqual(client.serverOptions.run, { command: 'afc', args: ['lsp'] });
  assert.deepEqual(client.serverOptions.debug, { command: 'afc', args: ['lsp'] });
  assert.deepEqual(client.clientOptions.documentSelector, [{ language: 'af' }]);
  assert.equal(client.clientOptions.synchronize.fileEvents.glob, '**/*.af');
  assert.ok(client.running);
  assert.ok(world.context.subscriptions.length >= 3, 'disposables are registered');
});

test('the setting afc.path names the binary', async () => {
  const world = load({ 'afc.path': ' /opt/afc/bin/afc ' });
  await world.extension.activate(world.context);
  assert.deepEqual(world.clients[0].serverOptions.run, { command: '/opt/afc/bin/afc', args: ['lsp'] });
});

test('an empty afc.path means afc', async () => {
  const world = load({ 'afc.path': '' });
  await world.extension.activate(world.context);
  assert.equal(world.clients[0].serverOptions.run.command, 'afc');
});

test('changing afc.path restarts the server with the new binary', async () => {
  const world = load();
  await world.extension.activate(world.context);
  world.settings['afc.path'] = '/usr/local/bin/afc';
  await world.changeConfiguration('editor.fontSize');
  assert.equal(world.clients.length, 1, 'other settings do not restart it');
  await world.changeConfiguration('afc.path');
  assert.equal(world.clients.length, 2);
  assert.ok(world.clients[0].stopped);
  assert.equal(world.clients[1].serverOptions.run.command, '/usr/local/bin/afc');
  assert.ok(world.clients[1].running);
});

test('the restart command restarts the server', async () => {
  const world = load();
  await world.extension.activate(world.context);
  await world.commands.get('afc.restartServer')();
  assert.equal(world.clients.length, 2);
  assert.ok(world.clients[0].stopped && world.clients[1].running);
});

test('a server that cannot start is reported, naming the binary and the setting', async () => {
  const world = load({ 'afc.path': '/nowhere/afc' });
  world.failStart = true;
  await world.extension.activate(world.context);
  assert.equal(world.errors.length, 1);
  assert.match(world.errors[0], /\/nowhere\/afc lsp/);
  assert.match(world.errors[0], /afc\.path/);
  await world.extension.deactivate();
});

test('deactivate stops the server', async () => {
  const world = load();
  await world.extension.activate(world.context);
  await world.extension.deactivate();
  assert.ok(world.clients[0].stopped);
});

test('the command is declared in the manifest', () => {
  const manifest = require('../package.json');
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command),
    ['afc.restartServer'],
  );
});
