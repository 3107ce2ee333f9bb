//! The OpenAPI document: a committed snapshot (`tests/snapshots/openapi.json`), every
//! documented operation is really routed, and every operation documents how it fails.
//!
//! After an intended API change, refresh the snapshot with
//! `UPDATE_SNAPSHOTS=1 cargo test -p motcua-server --test openapi` and review the diff.

mod common;

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use common::{A1, Harness, needs_credentials, operations, sample_body};
use motcua_server::Config;
use motcua_store::testing::TestDb;
use serde_json::Value;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

fn document() -> String {
    let (_, doc) = motcua_server::api::routes().split_for_parts();
    let mut json = doc.to_pretty_json().expect("document as JSON");
    json.push('\n');
    json
}

#[test]
fn document_matches_snapshot() {
    let current = document();
    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("create folder");
        std::fs::write(&path, &current).expect("write snapshot");
        eprintln!(
            "note: UPDATE_SNAPSHOTS=1, rewrote {}; review and commit the diff",
            path.display()
        );
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); create it with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if committed != current {
        let first = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(current.lines().count()));
        let show = |s: &str| {
            s.lines()
                .skip(first.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "the OpenAPI document differs from {} from line {}.\n--- committed\n{}\n--- generated\n{}\n\
             If the API change is intended, run UPDATE_SNAPSHOTS=1 cargo test -p motcua-server --test openapi \
             and commit the snapshot.",
            path.display(),
            first + 1,
            show(&committed),
            show(&current)
        );
    }
}

/// Operations that cannot fail in a way worth documenting.
fn infallible(path: &str) -> bool {
    path == "/healthz" || path == "/api/v1/openapi.json"
}

fn documented_statuses(op: &Value) -> Vec<u16> {
    op["responses"]
        .as_object()
        .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_default()
}

#[test]
fn every_operation_documents_its_errors() {
    let mut problems = Vec::new();
    for (method, path, op) in operations() {
        let statuses = documented_statuses(&op);
        let responses = &op["responses"];
        if infallible(&path) {
            continue;
        }
        if !statuses.iter().any(|s| *s >= 400) {
            problems.push(format!("{method} {path}: no error response documented"));
        }
        // Error answers have the one error shape.
        for s in statuses.iter().filter(|s| **s >= 400) {
            let schema = &responses[s.to_string()]["content"]["application/json"]["schema"]["$ref"];
            if schema != "#/components/schemas/ErrorBody" {
                problems.push(format!(
                    "{method} {path}: {s} is not documented as ErrorBody"
                ));
            }
        }
        // What every such route can answer, whatever its handler does.
        let mut expected = Vec::new();
        if needs_credentials(&op) {
            expected.push(401);
        }
        if op.get("requestBody").is_some() {
            expected.extend([400, 413]);
        }
        // An object named in the path may be absent (or out of scope, which looks the same).
        if path.contains("{code}") {
            expected.push(404);
        }
        if op
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| p.iter().any(|p| p["in"] == "query"))
        {
            expected.push(400);
        }
        for s in expected {
            if !statuses.contains(&s) {
                problems.push(format!("{method} {path}: {s} not documented"));
            }
        }
        // Parameters are where the document says: path parameters in the template, and
        // every template parameter described.
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        for p in &params {
            let name = p["name"].as_str().unwrap_or_default();
            let in_template = path.contains(&format!("{{{name}}}"));
            match p["in"].as_str() {
                Some("path") if !in_template => problems.push(format!(
                    "{method} {path}: parameter {name} is documented in the path but is not in it \
                     (query structs need #[into_params(parameter_in = Query)])"
                )),
                Some("query") if in_template => {
                    problems.push(format!("{method} {path}: {name} is a path parameter"))
                }
                _ => {}
            }
        }
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(|c| c == '{' || c == '}');
            if !params
                .iter()
                .any(|p| p["name"] == name && p["in"] == "path")
            {
                problems.push(format!(
                    "{method} {path}: path parameter {name} not described"
                ));
            }
        }
        if op["tags"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("{method} {path}: no tag"));
        }
        if op["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{method} {path}: no summary"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every documented operation reaches a handler: none answers the router's fallback
/// (`route_not_found`) or 405.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_routed() {
    let db = TestDb::sqlite().await;
    let h = Harness::bare(&db.store, Config::default()).await;
    for (method, path, op) in operations() {
        let uri = path.replace("{code}", A1);
        let r = h.api(method.clone(), &uri, None, sample_body(&op)).await;
        assert_ne!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed"
        );
        if r.status == StatusCode::NOT_FOUND {
            assert_ne!(
                r.code(),
                "route_not_found",
                "{method} {path} is documented but not routed"
            );
        }
        assert!(
            documented_statuses(&op).contains(&r.status.as_u16()),
            "{method} {path} answered {} without credentials, which the document does not list",
            r.status
        );
    }
    // And the check can fail: an undocumented path does reach the fallback.
    let r = h.api(Method::GET, "/api/v1/khong-co", None, None).await;
    assert_eq!(r.code(), "route_not_found");
    db.finish().await;
}
