//! Browser smoke test: the real `motcua serve` binary, headless Chromium driven through
//! chromedriver (W3C WebDriver over HTTP), signing in through the real login page.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` installs them and runs
//! `cargo test -p motcua --test browser -- --ignored`.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Kills the child process when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
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

struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT_KEY].as_str().unwrap().to_string()
    }

    /// Waits (up to 15 s) until the current URL ends with `suffix`: a click that submits a
    /// form returns before the next page has loaded.
    async fn wait_for_url(&self, suffix: &str) -> String {
        let start = Instant::now();
        loop {
            let url = self.call(reqwest::Method::GET, "/url", None).await;
            let url = url.as_str().unwrap_or_default().to_string();
            if url.ends_with(suffix) || start.elapsed() > Duration::from_secs(15) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; run by .ci/run"]
async fn sign_in_through_the_login_page() {
    let data = tempfile::tempdir().unwrap();
    let app_port = free_port();
    let driver_port = free_port();
    let db_url = format!("sqlite:{}", data.path().join("motcua.db").display());
    let _server = Guard(
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{app_port}"),
                "--database-url",
                &db_url,
            ])
            .env("MOTCUA_ADMIN_PASSWORD", "mat-khau-thu-nghiem")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start motcua"),
    );
    let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let _driver = Guard(
        Command::new(&driver_bin)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {driver_bin}: {e} (install chromium-driver)")),
    );
    let app = format!("http://127.0.0.1:{app_port}");
    wait_for(&format!("{app}/healthz")).await;
    wait_for(&format!("http://127.0.0.1:{driver_port}/status")).await;

    let profile = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let capabilities = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    }}});
    let session: Value = client
        .post(format!("http://127.0.0.1:{driver_port}/session"))
        .json(&capabilities)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"));
    let browser = Browser {
        client: client.clone(),
        base: format!("http://127.0.0.1:{driver_port}/session/{id}"),
    };

    // Element look-ups wait for the element to appear (pages load after form submissions).
    browser
        .call(
            reqwest::Method::POST,
            "/timeouts",
            Some(json!({"implicit": 15000})),
        )
        .await;

    // An anonymous visit lands on the login page.
    browser
        .call(
            reqwest::Method::POST,
            "/url",
            Some(json!({"url": format!("{app}/units")})),
        )
        .await;
    assert_eq!(browser.text("h1").await, "Đăng nhập");

    // A wrong password keeps us there with a Vietnamese message.
    let user = browser.find("#username").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{user}/value"),
            Some(json!({"text": "admin"})),
        )
        .await;
    let pass = browser.find("#password").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{pass}/value"),
            Some(json!({"text": "sai-mat-khau"})),
        )
        .await;
    let button = browser.find("#login-form button").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{button}/click"),
            Some(json!({})),
        )
        .await;
    assert!(browser.text(".flash.err").await.contains("không đúng"));

    // The right password signs in and returns to the page we asked for.
    let pass = browser.find("#password").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{pass}/value"),
            Some(json!({"text": "mat-khau-thu-nghiem"})),
        )
        .await;
    let button = browser.find("#login-form button").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{button}/click"),
            Some(json!({})),
        )
        .await;
    let url = browser.wait_for_url("/units").await;
    assert!(url.ends_with("/units"), "after sign-in: {url}");
    assert_eq!(browser.text("h1").await, "Cơ cấu tổ chức");
    assert!(browser.text(".who").await.contains("Quản trị hệ thống"));

    if let Ok(path) = std::env::var("MOTCUA_SCREENSHOT") {
        let png = browser
            .call(reqwest::Method::GET, "/screenshot", None)
            .await;
        let bytes = base64_decode(png.as_str().unwrap());
        std::fs::write(path, bytes).unwrap();
    }

    // Signing out ends the session.
    let logout = browser.find(".who button").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{logout}/click"),
            Some(json!({})),
        )
        .await;
    assert!(browser.wait_for_url("/login").await.ends_with("/login"));
    browser
        .call(
            reqwest::Method::POST,
            "/url",
            Some(json!({"url": format!("{app}/")})),
        )
        .await;
    assert_eq!(browser.text("h1").await, "Đăng nhập");
    browser.call(reqwest::Method::DELETE, "", None).await;
}

/// Minimal base64 decoder for the screenshot (standard alphabet, padded).
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
