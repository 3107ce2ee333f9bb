//! Browser smoke test: the real `motcua serve` binary, headless Chromium driven through
//! chromedriver (W3C WebDriver over HTTP), signing in through the real login page.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` installs them and runs
//! `cargo test -p motcua --test browser -- --ignored`.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod support;

use support::{Browser, start_motcua};

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; run by .ci/run"]
async fn sign_in_through_the_login_page() {
    let data = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite:{}", data.path().join("motcua.db").display());
    let (_server, app) =
        start_motcua(&db_url, &[("MOTCUA_ADMIN_PASSWORD", "mat-khau-thu-nghiem")]).await;
    let browser = Browser::start(&app).await;

    // An anonymous visit lands on the login page.
    browser.goto("/units").await;
    assert_eq!(browser.text("h1").await, "Đăng nhập");

    // A wrong password keeps us there with a Vietnamese message.
    browser.fill("#username", "admin").await;
    browser.fill("#password", "sai-mat-khau").await;
    browser.click("#login-form button").await;
    assert!(browser.text(".flash.err").await.contains("không đúng"));

    // The right password signs in and returns to the page we asked for.
    browser.fill("#password", "mat-khau-thu-nghiem").await;
    browser.click("#login-form button").await;
    let url = browser.wait_for_path("/units").await;
    assert!(url.ends_with("/units"), "after sign-in: {url}");
    assert_eq!(browser.text("h1").await, "Cơ cấu tổ chức");
    assert!(browser.text(".who").await.contains("Quản trị hệ thống"));
    browser.screenshot("units").await;

    // Signing out ends the session.
    browser.click(".who button").await;
    assert!(browser.wait_for_url("/login").await.ends_with("/login"));
    browser.goto("/").await;
    assert_eq!(browser.text("h1").await, "Đăng nhập");
    browser.close().await;
}
