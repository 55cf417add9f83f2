// The VS Code client of `afc lsp`: it starts the language server over stdio for `.af`
// files. Highlighting comes from the TextMate grammar (syntaxes/af.tmLanguage.json);
// everything else (diagnostics, hover, definition, references, completion, rename,
// formatting, code actions) comes from the server.

import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The `afc` binary: the setting `afc.path`, default `afc` (looked up on `PATH`). */
function afcPath(): string {
  return vscode.workspace.getConfiguration('afc').get<string>('path', 'afc').trim() || 'afc';
}

/** The server is `afc lsp`, speaking over stdio. */
function serverOptions(path: string): ServerOptions {
  const executable = { command: path, args: ['lsp'] };
  return { run: executable, debug: executable };
}

function clientOptions(output: vscode.OutputChannel): LanguageClientOptions {
  return {
    documentSelector: [{ language: 'af' }],
    synchronize: {
      // A workspace is every `.af` file under a folder: the server re-checks the whole
      // workspace when one changes on disk.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.af'),
    },
    outputChannel: output,
  };
}

async function start(output: vscode.OutputChannel): Promise<void> {
  const path = afcPath();
  client = new LanguageClient('afc', 'afc language server', serverOptions(path), clientOptions(output));
  try {
    await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(
      `Could not start \`${path} lsp\`: ${String(err)}. Install afc, or set "afc.path" to its binary.`,
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('afc');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('afc.restartServer', async () => {
      await stop();
      await start(output);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('afc.path')) {
        await stop();
        await start(output);
      }
    }),
  );
  await start(output);
}

export function deactivate(): Promise<void> {
  return stop();
}
