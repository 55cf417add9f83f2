//! `afc lsp`: the language server, over stdio (lsp-server + lsp-types).
//!
//! It converts, never recomputes: every answer comes from the compiler core's
//! [`crate::Analysis`] (reanalysed after each change, reparsing only the edited file
//! through [`crate::ParseCache`]) and from [`query`], which reads the syntax tree and the
//! checked declarations. LSP types stay inside this module.

mod convert;
mod query;

use crate::source::SourceFile;
use crate::{Analysis, ParseCache};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Rename, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, InitializeParams,
    OneOf, PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Url,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Runs the server on stdin/stdout until `exit`; returns the process exit code.
#[must_use]
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let code = match serve(&conn) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("afc lsp: {e}");
            1
        }
    };
    drop(conn);
    let _ = io.join();
    code
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "[".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

fn serve(conn: &Connection) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let init = conn.initialize(caps).map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(init).map_err(|e| e.to_string())?;
    #[allow(deprecated)]
    let root_uri = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first().map(|w| w.uri.clone()))
        .or(params.root_uri);
    let mut server = Server::new(root_uri.and_then(|u| u.to_file_path().ok()));
    server.refresh(conn);
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let resp = server.request(req);
                conn.sender
                    .send(Message::Response(resp))
                    .map_err(|e| e.to_string())?;
            }
            Message::Notification(n) => {
                if server.notification(n) {
                    server.refresh(conn);
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The server's state: the workspace on disk, the editor's open documents over it, and
/// the latest analysis.
pub(crate) struct Server {
    root: Option<PathBuf>,
    /// Display path → text, as read from disk.
    disk: BTreeMap<String, String>,
    /// Display path → text of documents open in the editor.
    open: BTreeMap<String, String>,
    pub(crate) analysis: Analysis,
    /// What was last published per path, to send only changes.
    published: BTreeMap<String, Vec<lsp_types::Diagnostic>>,
    /// The license inventory of the latest analysis, computed on the first hover.
    inventory: Option<Vec<crate::lint::licenses::Component>>,
}

impl Server {
    fn new(root: Option<PathBuf>) -> Self {
        let mut s = Self {
            root: None,
            disk: BTreeMap::new(),
            open: BTreeMap::new(),
            analysis: Analysis::default(),
            published: BTreeMap::new(),
            inventory: None,
        };
        if let Some(r) = root {
            s.set_root(r);
        }
        s
    }

    fn set_root(&mut self, root: PathBuf) {
        self.disk = crate::cli::workspace::load(&root)
            .map(|files| files.into_iter().map(|f| (f.path, f.text)).collect())
            .unwrap_or_default();
        self.root = Some(root);
    }

    /// The display path of a document, or `None` when it is not an `.af` file of the
    /// workspace. The first document opened without a workspace root makes its
    /// directory the root.
    fn path_of(&mut self, uri: &Url) -> Option<String> {
        let file = uri.to_file_path().ok()?;
        if file.extension().is_none_or(|x| x != "af") {
            return None;
        }
        if self.root.is_none() {
            self.set_root(file.parent()?.to_path_buf());
        }
        let rel = file.strip_prefix(self.root.as_ref()?).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    pub(crate) fn uri_of(&self, path: &str) -> Option<Url> {
        if crate::stdlib::is_stdlib_path(path) {
            return None;
        }
        Url::from_file_path(self.root.as_ref()?.join(path)).ok()
    }

    fn reanalyze(&mut self) {
        let mut texts = self.disk.clone();
        texts.extend(self.open.clone());
        let files = texts
            .into_iter()
            .map(|(p, t)| SourceFile::new(p, t))
            .collect();
        let previous = std::mem::take(&mut self.analysis);
        let mut cache = ParseCache::from_analysis(previous);
        self.analysis = crate::analyze_cached(files, &mut cache);
        self.inventory = None;
    }

    /// Every component with its license verdict (the policy linter's inventory).
    pub(crate) fn inventory(&mut self) -> &[crate::lint::licenses::Component] {
        let a = &self.analysis;
        self.inventory.get_or_insert_with(|| {
            let options = crate::lint::Options::default();
            let ctx = crate::lint::Ctx::new(&a.files, &a.asts, &a.sema, &options);
            ctx.inventory().to_vec()
        })
    }

    /// Reanalyses and publishes the diagnostics that changed.
    fn refresh(&mut self, conn: &Connection) {
        self.reanalyze();
        let mut now: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for f in &self.analysis.files {
            if !crate::stdlib::is_stdlib_path(&f.path) {
                now.insert(f.path.clone(), Vec::new());
            }
        }
        for d in &self.analysis.diagnostics {
            let path = &self.analysis.file(d.primary.file).path;
            if let Some(list) = now.get_mut(path) {
                list.push(convert::diagnostic(self, d));
            }
        }
        // A file that disappeared gets an empty list, which clears it in the editor.
        for path in self.published.keys() {
            now.entry(path.clone()).or_default();
        }
        for (path, diags) in &now {
            if self.published.get(path) == Some(diags) {
                continue;
            }
            let Some(uri) = self.uri_of(path) else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: diags.clone(),
                version: None,
            };
            let _ = conn.sender.send(Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_string(),
                params,
            )));
        }
        self.published = now;
    }

    /// Handles a notification; true when the workspace changed.
    fn notification(&mut self, n: Notification) -> bool {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return false;
                };
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return false;
                };
                self.open.insert(path, p.text_document.text);
                true
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return false;
                };
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return false;
                };
                // Full sync: the last change holds the whole text.
                match p.content_changes.into_iter().last() {
                    Some(change) => {
                        self.open.insert(path, change.text);
                        true
                    }
                    None => false,
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                else {
                    return false;
                };
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return false;
                };
                self.open.remove(&path);
                self.reload_from_disk(&path);
                true
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                else {
                    return false;
                };
                if let Some(path) = self.path_of(&p.text_document.uri) {
                    self.reload_from_disk(&path);
                }
                false
            }
            _ => false,
        }
    }

    fn reload_from_disk(&mut self, path: &str) {
        let Some(root) = &self.root else { return };
        match crate::cli::workspace::read_source(&root.join(path), path) {
            Ok(text) => {
                self.disk.insert(path.to_string(), text);
            }
            Err(_) => {
                self.disk.remove(path);
            }
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            HoverRequest::METHOD => self.with(req, |s, p: lsp_types::HoverParams| {
                query::hover(s, &p.text_document_position_params)
            }),
            GotoDefinition::METHOD => self.with(req, |s, p: lsp_types::GotoDefinitionParams| {
                query::definition(s, &p.text_document_position_params)
            }),
            References::METHOD => self.with(req, |s, p: lsp_types::ReferenceParams| {
                query::references(s, &p.text_document_position, p.context.include_declaration)
            }),
            Completion::METHOD => self.with(req, |s, p: lsp_types::CompletionParams| {
                query::completion(s, &p.text_document_position)
            }),
            Rename::METHOD => {
                return match serde_json::from_value::<lsp_types::RenameParams>(req.params) {
                    Ok(p) => match query::rename(self, &p.text_document_position, &p.new_name) {
                        Ok(edit) => ok(id, edit),
                        Err(msg) => Response::new_err(id, ErrorCode::InvalidParams as i32, msg),
                    },
                    Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
                };
            }
            DocumentSymbolRequest::METHOD => self
                .with(req, |s, p: lsp_types::DocumentSymbolParams| {
                    query::symbols(s, &p.text_document.uri)
                }),
            Formatting::METHOD => self.with(req, |s, p: lsp_types::DocumentFormattingParams| {
                query::formatting(s, &p.text_document.uri)
            }),
            CodeActionRequest::METHOD => self.with(req, |s, p: lsp_types::CodeActionParams| {
                query::code_actions(s, &p.text_document.uri, p.range)
            }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("afc lsp does not handle {}", req.method),
                );
            }
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err(msg) => Response::new_err(id, ErrorCode::InvalidParams as i32, msg),
        }
    }

    fn with<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        req: Request,
        f: impl FnOnce(&mut Self, P) -> R,
    ) -> Result<serde_json::Value, String> {
        let params: P = serde_json::from_value(req.params).map_err(|e| e.to_string())?;
        serde_json::to_value(f(self, params)).map_err(|e| e.to_string())
    }

    /// The analysis file id of a document.
    pub(crate) fn file_id(&mut self, uri: &Url) -> Option<crate::source::FileId> {
        let path = self.path_of(uri)?;
        self.analysis.file_id(&path)
    }
}

fn ok(id: RequestId, v: impl serde::Serialize) -> Response {
    Response::new_ok(
        id,
        serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
    )
}
