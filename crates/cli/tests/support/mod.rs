//! Shared by the browser tests: the real `motcua serve` binary and headless Chromium driven
//! through chromedriver with plain W3C WebDriver calls over HTTP.

// Each test binary uses its own part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Kills the child process when the test ends, however it ends.
pub struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for(url: &str) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if client.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up within 30 s");
}

/// Starts `motcua serve` on a free port against `db_url`; returns its guard and base URL.
pub async fn start_motcua(db_url: &str, envs: &[(&str, &str)]) -> (Guard, String) {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db_url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let guard = Guard(command.spawn().expect("start motcua"));
    let app = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{app}/healthz")).await;
    (guard, app)
}

/// A headless Chromium session; element look-ups wait up to 15 s for the element.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub app: String,
    _driver: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(app: &str) -> Browser {
        let port = free_port();
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Guard(
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {driver_bin}: {e} (install chromium-driver)")),
        );
        wait_for(&format!("http://127.0.0.1:{port}/status")).await;
        let profile = tempfile::tempdir().unwrap();
        let client = reqwest::Client::new();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let session: Value = client
            .post(format!("http://127.0.0.1:{port}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = session["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_string();
        let browser = Browser {
            client,
            base: format!("http://127.0.0.1:{port}/session/{id}"),
            app: app.to_string(),
            _driver: driver,
            _profile: profile,
        };
        // Pages load after form submissions: look-ups wait for their element to appear.
        browser
            .call(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({"implicit": 15000})),
            )
            .await;
        browser
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if answer["value"].get("error").is_some() {
            panic!("WebDriver error on {path}: {answer}");
        }
        answer["value"].clone()
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT_KEY].as_str().unwrap().to_string()
    }

    /// Opens a path of the application.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.app);
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Waits (up to 15 s) until the current URL contains `part`: a click that submits a form
    /// returns before the next page has loaded.
    pub async fn wait_for_url(&self, part: &str) -> String {
        let start = Instant::now();
        loop {
            let url = self.call(reqwest::Method::GET, "/url", None).await;
            let url = url.as_str().unwrap_or_default().to_string();
            if url.contains(part) || start.elapsed() > Duration::from_secs(15) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 15 s) until the current page's path, without its query, is `path`. Unlike
    /// [`Self::wait_for_url`] this is not fooled by the login page, whose
    /// `?next=/the/path` contains the path being waited for.
    pub async fn wait_for_path(&self, path: &str) -> String {
        let start = Instant::now();
        loop {
            let url = self.call(reqwest::Method::GET, "/url", None).await;
            let url = url.as_str().unwrap_or_default().to_string();
            let after_host = url
                .split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                .unwrap_or_default();
            let current = after_host.split(['?', '#']).next().unwrap_or_default();
            if current == path || start.elapsed() > Duration::from_secs(15) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Saves a PNG screenshot when `MOTCUA_SCREENSHOT_DIR` is set (for looking at pages).
    pub async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("MOTCUA_SCREENSHOT_DIR") else {
            return;
        };
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64_decode(png.as_str().unwrap_or_default());
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.png")),
            bytes,
        )
        .unwrap();
    }

    pub async fn close(&self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// Minimal base64 decoder for screenshots (standard alphabet, padded).
fn base64_decode(input: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = input
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|c| u32::from(value(*c))).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if v.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if v.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}
