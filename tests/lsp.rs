//! End-to-end: spawn `afc lsp` and speak JSON-RPC to it over stdio as an editor does.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{Value, json};
use std::path::Path;

fn copy_example(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures");
    for e in std::fs::read_dir(&from).expect("example") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "af") {
            std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
        }
    }
}

/// The labels of a completion answer.
fn labels_of(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect()
}

fn pos(text: &str, needle: &str, nth: usize) -> Value {
    let off = text.match_indices(needle).nth(nth).expect(needle).0;
    let line = text[..off].matches('\n').count();
    let col = off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

#[test]
fn an_editor_session() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().canonicalize().expect("canonical");
    copy_example(&root);
    let uri_of = |name: &str| format!("file://{}", root.join(name).display());
    let services = uri_of("services.af");
    let mut c = Client::start();

    let init = c.request("initialize", json!({"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}));
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    c.notify("initialized", json!({}));

    // A mistake: diagnostics at the right range, with the code.
    let good = std::fs::read_to_string(root.join("services.af")).expect("read");
    let bad = good.replacen("replicas", "replica", 0).replacen(
        "  port    = 3001",
        "  port    = 3001\n  replica = 1",
        1,
    );
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": services, "languageId": "af", "version": 1, "text": bad}}),
    );
    let diags = loop {
        let d = c.diagnostics_for(&services);
        if !d.is_empty() {
            break d;
        }
    };
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "AF1002");
    assert_eq!(diags[0]["range"]["start"], pos(&bad, "replica =", 0));
    assert!(
        diags[0]["message"]
            .as_str()
            .expect("message")
            .contains("did you mean `replicas`?")
    );

    // The quick fix replaces the key.
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": services}, "range": diags[0]["range"], "context": {"diagnostics": diags}}));
    let edit = &actions[0]["edit"]["changes"][&services][0];
    assert_eq!(edit["newText"], "replicas");
    assert_eq!(actions[0]["kind"], "quickfix");

    // Fixing it clears the diagnostic.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": services, "version": 2}, "contentChanges": [{"text": good}]}));
    assert!(c.diagnostics_for(&services).is_empty());

    // Hover on a reference shows the doc comment of what it names.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": services}, "position": pos(&good, "auth, jwt", 0)}),
    );
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        shown.contains("service auth") && shown.contains("Authentication REST API"),
        "{shown}"
    );
    assert!(
        shown.contains("`MIT` — **open source**"),
        "the license verdict of the image: {shown}"
    );
    // Hover on an attribute key shows the schema.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": services}, "position": pos(&good, "health", 0)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .expect("md")
            .contains("readiness"),
        "{hover}"
    );
    // Hover on an engine reference shows its license table.
    let data = uri_of("data.af");
    let data_text = std::fs::read_to_string(root.join("data.af")).expect("read");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": data}, "position": pos(&data_text, "redis", 0)}),
    );
    let shown = hover["contents"]["value"].as_str().expect("md");
    assert!(
        shown.contains("license `<=7.2`: `BSD-3-Clause`")
            && shown.contains("`BSD-3-Clause` — **open source**"),
        "{shown}"
    );
    // On the cache that uses it: the engine's license at the declared version.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": data}, "position": pos(&data_text, "sessions", 0)}),
    );
    let shown = hover["contents"]["value"].as_str().expect("md");
    assert!(
        shown.contains("Redis 7.2.7") && shown.contains("`BSD-3-Clause` — **open source**"),
        "{shown}"
    );

    // Definition of `platform-db` in services.af is in data.af.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": services}, "position": pos(&good, "platform-db", 0)}),
    );
    assert_eq!(def["uri"], data);
    assert_eq!(def["range"]["start"], pos(&data_text, "platform-db", 0));

    // References of `jwt`: the declaration and the two uses.
    let refs = c.request("textDocument/references", json!({"textDocument": {"uri": services}, "position": pos(&good, "jwt", 0), "context": {"includeDeclaration": true}}));
    assert_eq!(refs.as_array().expect("list").len(), 3, "{refs}");

    // Completion: attributes in a service body, references in `uses`.
    let mut with_new_line = good.clone();
    let at = with_new_line.find("  cpu     = 250m").expect("cpu");
    with_new_line.insert_str(at, "  \n");
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": services, "version": 3}, "contentChanges": [{"text": with_new_line}]}));
    let line = with_new_line[..at].matches('\n').count();
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": services}, "position": {"line": line, "character": 2}}),
    );
    let labels = labels_of(&items);
    assert!(
        labels.contains(&"replicas") && labels.contains(&"mesh"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"image"),
        "an attribute already given is not offered again"
    );
    let mut in_uses = good.clone();
    let at = in_uses.find("  cpu     = 250m").expect("cpu");
    in_uses.insert_str(at, "  uses = [\n");
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": services, "version": 4}, "contentChanges": [{"text": in_uses}]}));
    let line = in_uses[..at].matches('\n').count();
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": services}, "position": {"line": line, "character": 10}}),
    );
    let labels = labels_of(&items);
    assert!(
        labels.contains(&"sessions") && labels.contains(&"jwt") && !labels.contains(&"main"),
        "{labels:?}"
    );
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": services, "version": 5}, "contentChanges": [{"text": good}]}));

    // Completion of env names after `sealed`, and of engines for a cache.
    let secrets = uri_of("secrets.af");
    let secrets_text = std::fs::read_to_string(root.join("secrets.af")).expect("read");
    let mut typing = secrets_text.clone();
    let at = typing.find("  sealed production").expect("block");
    typing.insert_str(at, "  sealed \n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": secrets, "languageId": "af", "version": 1, "text": typing}}),
    );
    let line = typing[..at].matches('\n').count();
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": secrets}, "position": {"line": line, "character": 9}}),
    );
    let labels = labels_of(&items);
    assert_eq!(labels, ["production", "staging"]);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": secrets, "version": 2}, "contentChanges": [{"text": secrets_text}]}),
    );
    let data_typing = data_text.replace("  engine  = redis", "  engine  = ");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": data, "languageId": "af", "version": 1, "text": data_typing}}),
    );
    let off = data_typing.find("  engine  = \n").expect("engine line") + "  engine  = ".len();
    let line = data_typing[..off].matches('\n').count();
    let col = off - data_typing[..off].rfind('\n').map_or(0, |i| i + 1);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": data}, "position": {"line": line, "character": col}}),
    );
    let labels = labels_of(&items);
    assert_eq!(labels, ["redis", "valkey"], "engines that serve a cache");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": data, "version": 2}, "contentChanges": [{"text": data_text}]}),
    );

    // Rename `jwt` everywhere.
    let edit = c.request("textDocument/rename", json!({"textDocument": {"uri": services}, "position": pos(&good, "jwt", 0), "newName": "jwt-key"}));
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes[&services].as_array().expect("edits").len(), 2);
    assert_eq!(
        changes[&uri_of("secrets.af")]
            .as_array()
            .expect("edits")
            .len(),
        1
    );
    let err = c.request_err("textDocument/rename", json!({"textDocument": {"uri": services}, "position": pos(&good, "jwt", 0), "newName": "Not Valid"}));
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("not a valid name")
    );

    // Document symbols and formatting.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": services}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["auth", "backend", "web"]);
    let messy = good.replace("  port    = 3001", "port=3001");
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": services, "version": 6}, "contentChanges": [{"text": messy}]}));
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": services}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], good);

    // Shutdown and exit.
    assert_eq!(c.request("shutdown", json!(null)), Value::Null);
    c.notify("exit", json!(null));
    let status = c.child.wait().expect("exits");
    assert!(status.success());
}
