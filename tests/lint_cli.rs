//! The policy linter as a user meets it: `afc licenses`, `afc rules`, `afc explain` of a
//! rule, the policy's severities, every output format's exit code, and no plaintext
//! secret in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn afc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("afc runs")
}

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/alternatefutures")
        .display()
        .to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    dir
}

fn path(d: &tempfile::TempDir) -> String {
    d.path().display().to_string()
}

const PLATFORM: &str =
    "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n\nenv dev {}\n";

const FORMATS: &[&str] = &["human", "short", "json", "sarif", "github"];

#[test]
fn licenses_of_the_example_list_the_stack_as_open_source() {
    let out = afc(&["licenses", &example()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    for name in [
        "K3s",
        "Traefik",
        "ArgoCD",
        "Sealed Secrets",
        "YugabyteDB",
        "Redis",
    ] {
        let row = table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{table}"));
        assert!(row.trim_end().ends_with("open source"), "{row}");
    }
    assert!(
        table.contains("v1.31.4+k3s1") && table.contains("7.2.7") && table.contains("2.25.1.0")
    );
    assert!(table.contains("9 components: 9 allowed, 0 not"), "{table}");
    let json = afc(&["licenses", "--format", "json", &example()]);
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let items = items.as_array().expect("array");
    assert_eq!(items.len(), 9);
    assert!(
        items
            .iter()
            .all(|i| i["verdict"] == "pass" && i["summary"] == "open source")
    );
    let redis = items.iter().find(|i| i["name"] == "redis").expect("redis");
    assert_eq!(redis["license"], "BSD-3-Clause");
    assert_eq!(redis["kind"], "engine");
    assert_eq!(redis["of"], "sessions");
}

#[test]
fn licenses_show_denied_components_and_exit_1() {
    let ws = workspace(&[(
        "main.af",
        &format!(
            "{PLATFORM}\ncache sessions {{\n  engine  = redis\n  version = \"7.4.2\"\n}}\n\nservice api {{\n  image   = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n  uses    = [sessions]\n}}\n"
        ),
    )]);
    let out = afc(&["licenses", &path(&ws)]);
    assert_eq!(out.status.code(), Some(1));
    let table = text(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with("Redis"))
        .expect("redis row");
    assert!(
        row.contains("7.4.2")
            && row.contains("LicenseRef-RSALv2 OR SSPL-1.0")
            && row.ends_with("denied"),
        "{row}"
    );
    // Turned off in the policy, the same component no longer fails the command.
    let ws = workspace(&[(
        "main.af",
        "platform demo {\n  repo   = \"https://example.com/demo.git\"\n  policy = relaxed\n}\n\npolicy relaxed {\n  severity {\n    license-denied = warn\n  }\n}\n\ncache sessions {\n  engine  = redis\n  version = \"7.4.2\"\n}\n",
    )]);
    let out = afc(&["licenses", &path(&ws)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn rules_and_their_pages() {
    let out = afc(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    for rule in afc::lint::RULES {
        let info = rule.info();
        assert!(
            list.contains(info.code) && list.contains(info.name),
            "{} missing",
            info.code
        );
    }
    assert!(list.contains("unused-declaration") && list.contains("image-not-pinned"));
    let page = afc(&["explain", "license-denied"]);
    assert_eq!(page.status.code(), Some(0));
    assert!(text(&page.stdout).starts_with("# AF3010 license-denied"));
    let json = afc(&["rules", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        items.as_array().expect("array").len(),
        afc::lint::RULES.len() + afc::lint::ADOPTED.len()
    );
}

#[test]
fn the_policy_sets_severities() {
    let service = "service worker {\n  image   = \"ghcr.io/acme/worker:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n}\n";
    let with = |level: &str| {
        workspace(&[(
            "main.af",
            &format!(
                "platform demo {{\n  repo   = \"https://example.com/demo.git\"\n  policy = team\n}}\n\npolicy team {{\n  severity {{\n    missing-health = {level}\n  }}\n}}\n\n{service}"
            ),
        )])
    };
    let out = afc(&["check", "--format", "short", &path(&with("error"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("error[AF3041]"),
        "{}",
        text(&out.stdout)
    );
    let out = afc(&["check", "--format", "short", &path(&with("off"))]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let out = afc(&["check", "--format", "short", &path(&with("warn"))]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("warning[AF3041]"));
}

#[test]
fn every_format_exits_as_check_does() {
    let warn = workspace(&[(
        "main.af",
        &format!(
            "{PLATFORM}\nservice w {{\n  image   = \"ghcr.io/acme/w:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n}}\n"
        ),
    )]);
    let error = workspace(&[(
        "main.af",
        &format!(
            "{PLATFORM}\nservice w {{\n  image   = \"ghcr.io/acme/w:1.0.0\"\n  license = \"BUSL-1.1\"\n  port    = 80\n  health  = \"/\"\n}}\n"
        ),
    )]);
    for f in FORMATS {
        assert_eq!(
            afc(&["check", "--format", f, &path(&warn)]).status.code(),
            Some(0),
            "{f}"
        );
        assert_eq!(
            afc(&["check", "--deny-warnings", "--format", f, &path(&warn)])
                .status
                .code(),
            Some(1),
            "{f}"
        );
        let out = afc(&["check", "--format", f, &path(&error)]);
        assert_eq!(out.status.code(), Some(1), "{f}");
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains("AF3010"), "{f}: {all}");
        let missing = afc(&["check", "--format", f, "/nonexistent/afc-workspace"]);
        assert_eq!(missing.status.code(), Some(2), "{f}");
    }
}

/// The plaintext values that must never be printed.
const SECRETS: &[&str] = &[
    "hunter2-plaintext",
    "Sup3rS3cretVal",
    "tok_live_8fj3k2",
    "s3cr3tpw",
];

#[test]
fn plaintext_secrets_never_reach_any_output() {
    let env_only = workspace(&[(
        "main.af",
        &format!(
            "{PLATFORM}\nenv prod {{\n  api.env.API_TOKEN = \"tok_live_8fj3k2\"\n}}\n\nservice api {{\n  image   = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n  env {{\n    DB_PASSWORD = \"Sup3rS3cretVal\"\n    DB_URL      = \"postgres://app:s3cr3tpw@db:5432/app\"\n  }}\n}}\n"
        ),
    )]);
    let both = workspace(&[
        (
            "main.af",
            &format!(
                "{PLATFORM}\nservice api {{\n  image   = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n  uses    = [creds]\n  env {{\n    DB_PASSWORD = \"Sup3rS3cretVal\"\n  }}\n}}\n"
            ),
        ),
        (
            "secrets.af",
            "secret creds {\n  sealed dev {\n    password = \"hunter2-plaintext\"\n  }\n}\n",
        ),
    ]);
    for ws in [&env_only, &both] {
        let p = path(ws);
        let mut runs: Vec<Vec<String>> = FORMATS
            .iter()
            .map(|f| {
                vec![
                    "check".to_string(),
                    "--format".to_string(),
                    (*f).to_string(),
                    p.clone(),
                ]
            })
            .collect();
        runs.push(vec!["licenses".into(), p.clone()]);
        runs.push(vec![
            "licenses".into(),
            "--format".into(),
            "json".into(),
            p.clone(),
        ]);
        runs.push(vec!["graph".into(), p.clone()]);
        runs.push(vec!["build".into(), "--check".into(), p.clone()]);
        for args in runs {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = afc(&args);
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            for s in SECRETS {
                assert!(
                    !all.contains(s),
                    "`afc {}` printed a secret:\n{all}",
                    args.join(" ")
                );
            }
            if args[0] == "check" {
                assert_eq!(out.status.code(), Some(1), "{args:?}");
            }
        }
    }
    // The human report still shows where the problem is.
    let out = afc(&["check", &path(&env_only)]);
    let err = text(&out.stderr);
    assert!(
        err.contains("[AF3020]") && err.contains("DB_PASSWORD = \"**************\""),
        "{err}"
    );
}

#[test]
fn certificates_are_read_relative_to_the_workspace() {
    let ws = workspace(&[
        (
            "main.af",
            "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n\ncluster main {\n  sealing_cert = \"certs\"\n}\n\nenv dev {}\n",
        ),
        ("certs/README", "the certificate is missing\n"),
    ]);
    let out = afc(&["check", "--format", "short", &path(&ws)]);
    assert_eq!(out.status.code(), Some(0));
    let short = text(&out.stdout);
    assert!(
        short.contains("warning[AF3022]") && short.contains("it is not a file"),
        "{short}"
    );
    let file_ws = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/check/ok-af3022-sealing-cert-readable/main.af");
    let out = afc(&["check", &file_ws.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn licenses_merge_image_rows_across_environments() {
    let ws = workspace(&[(
        "main.af",
        "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n\n\
         env dev {}\n\n\
         env prod {\n  api.image = \"ghcr.io/acme/api:2.0.0\"\n  web.image = \"ghcr.io/acme/web:3.0.0\"\n}\n\n\
         env test {\n  web.image = \"ghcr.io/acme/web:3.0.0\"\n  web.license = \"Apache-2.0\"\n}\n\n\
         service api {\n  image   = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n}\n\n\
         service web {\n  image   = \"ghcr.io/acme/web:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n}\n\n\
         service worker {\n  image   = \"ghcr.io/acme/worker:1.0.0\"\n  license = \"MIT\"\n  port    = 80\n  health  = \"/\"\n}\n",
    )]);
    let out = afc(&["licenses", "--format", "json", &path(&ws)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows: Vec<(String, String, String, Vec<String>)> = items
        .as_array()
        .expect("array")
        .iter()
        .filter(|i| i["kind"] == "image")
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_string();
            let envs = i["envs"].as_array().map_or_else(Vec::new, |a| {
                a.iter()
                    .map(|e| e.as_str().unwrap_or("").to_string())
                    .collect()
            });
            (s("name"), s("version"), s("license"), envs)
        })
        .collect();
    let row = |n: &str, v: &str, l: &str, e: &[&str]| {
        (
            n.to_string(),
            v.to_string(),
            l.to_string(),
            e.iter().map(|s| s.to_string()).collect(),
        )
    };
    assert_eq!(
        rows,
        vec![
            // One row for the base and the environments that keep it.
            row("api", "1.0.0", "MIT", &["dev", "test"]),
            row("api", "2.0.0", "MIT", &["prod"]),
            row("web", "1.0.0", "MIT", &["dev"]),
            row("web", "3.0.0", "MIT", &["prod"]),
            row("web", "3.0.0", "Apache-2.0", &["test"]),
            // The same everywhere: no environments listed.
            row("worker", "1.0.0", "MIT", &[]),
        ],
        "{}",
        text(&out.stdout)
    );
}
