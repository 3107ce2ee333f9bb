//! Browser test of the one-stop flow (issue 4 "Done when"): the real `motcua serve` binary on
//! a temporary SQLite database prepared with the CLI (units, four people, the example
//! procedures), headless Chromium through chromedriver (W3C WebDriver over HTTP). A receiver
//! registers a dossier and prints the receipt; a specialist, a leader and a clerk act from
//! their inbox; the receiver returns the result; the public tracking page shows it.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` runs
//! `cargo test -p motcua --test browser_dossier -- --ignored`.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use support::{Browser, start_motcua};

const PASSWORD: &str = "mat-khau-thu-nghiem";
const UNIT: &str = "000.00.01.H22";

/// Runs the CLI on the test database, feeding `stdin`; panics unless it succeeds.
fn cli(db_url: &str, args: &[&str], stdin: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .args(["--database-url", db_url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "motcua {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The flow's steps as the officers take them.
trait Officer {
    async fn sign_in(&self, username: &str, path: &str);
    async fn sign_out(&self);
    async fn act(&self, code: &str, action: &str, fields: &[(&str, &str)]);
}

impl Officer for Browser {
    /// Signs in through the login page the protected `path` redirects to.
    async fn sign_in(&self, username: &str, path: &str) {
        self.goto(path).await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("#login-form button").await;
        let url = self.wait_for_path(path).await;
        assert!(
            !url.contains("/login") && url.contains(path),
            "{username} after sign-in: {url}"
        );
    }

    async fn sign_out(&self) {
        self.click(".who button").await;
        assert!(self.wait_for_url("/login").await.contains("/login"));
    }

    /// Submits one action form of the dossier page and waits for the updated page.
    async fn act(&self, code: &str, action: &str, fields: &[(&str, &str)]) {
        self.goto("/inbox").await;
        self.click(&format!("a[href=\"/dossiers/{code}\"]")).await;
        self.wait_for_url(&format!("/dossiers/{code}")).await;
        for (css, text) in fields {
            self.fill(css, text).await;
        }
        self.click(&format!("#form-{action} button")).await;
        let url = self.wait_for_url("ok=dossier_updated").await;
        assert!(
            url.contains("ok=dossier_updated"),
            "{action}: {url}\n{}",
            self.source().await
        );
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; run by .ci/run"]
async fn a_dossier_from_intake_to_returned_result() {
    let data = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite:{}", data.path().join("motcua.db").display());

    // The organisation, four people and the catalogue, through the CLI.
    let units = data.path().join("units.csv");
    std::fs::write(
        &units,
        format!(
            "code,name,short_name,level,parent_code\n\
             000.00.00.G00,Bộ Quốc phòng,BQP,0,\n\
             {UNIT},Cục Chính sách,CCS,1,000.00.00.G00\n\
             000.00.21.H22,Phòng Chế độ chính sách,,2,{UNIT}\n\
             000.00.02.H22,Cục Quân y,CQY,1,000.00.00.G00\n"
        ),
    )
    .unwrap();
    cli(
        &db_url,
        &["unit", "import", &units.display().to_string()],
        "",
    );
    for (username, full_name, role) in [
        ("nhan", "Vũ Văn Nhận", "receiver"),
        ("chuyenvien", "Hoàng Thị Chuyên", "specialist"),
        ("lanhdao", "Phạm Thị Lãnh", "leader"),
        ("vanthu", "Bùi Thị Thư", "clerk"),
    ] {
        cli(
            &db_url,
            &[
                "user",
                "add",
                "--username",
                username,
                "--full-name",
                full_name,
                "--unit",
                UNIT,
                "--role",
                role,
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        );
    }
    let procedures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/procedures.json"
    );
    cli(&db_url, &["procedure", "import", procedures], "");

    let (_server, app) = start_motcua(&db_url, &[]).await;
    let browser = Browser::start(&app).await;

    // The receiver registers a dossier at the counter and gets the receipt.
    browser.sign_in("nhan", "/dossiers/new").await;
    browser.goto("/dossiers/new?procedure=1.009999").await;
    browser.fill("#name", "Nguyễn Văn An").await;
    browser.fill("#id_number", "001099012345").await;
    browser.fill("#phone", "0912345678").await;
    browser.fill("#address", "Số 1 Hoàng Diệu, Hà Nội").await;
    for key in ["don_de_nghi", "cccd", "quyet_dinh"] {
        browser.click(&format!("#doc-{key}")).await;
    }
    browser.click("#register").await;
    let code = browser.text("#dossier-code").await;
    assert!(code.starts_with(&format!("{UNIT}-")), "code {code}");
    let key = browser.text("#tracking-key").await;
    assert_eq!(key.len(), 32);
    assert!(
        browser
            .text("h1.doc-title")
            .await
            .contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    );
    browser.find(".doc-qr svg").await;
    // The printable reprint (without the key).
    browser.goto(&format!("/dossiers/{code}/receipt")).await;
    assert_eq!(browser.text("#dossier-code").await, code);
    browser
        .act(
            &code,
            "complete_step",
            &[("#complete-note", "Chuyển thẩm định")],
        )
        .await;
    browser.sign_out().await;

    // The specialist, the leader and the clerk act from their inboxes.
    browser.sign_in("chuyenvien", "/inbox").await;
    browser
        .act(
            &code,
            "complete_step",
            &[("#complete-note", "Đủ điều kiện")],
        )
        .await;
    browser.sign_out().await;
    browser.sign_in("lanhdao", "/inbox").await;
    browser
        .act(&code, "approve", &[("#approve-note", "Đồng ý")])
        .await;
    browser.sign_out().await;
    browser.sign_in("vanthu", "/inbox").await;
    browser
        .act(&code, "issue_result", &[("#document-number", "15/GXN-CCS")])
        .await;
    browser.sign_out().await;

    // The receiver returns the result; the control slip lists the hand-overs.
    browser.sign_in("nhan", "/inbox").await;
    browser.act(&code, "return_result", &[]).await;
    assert_eq!(browser.text("#status").await, "Đã trả kết quả");
    browser
        .goto(&format!("/dossiers/{code}/control-slip"))
        .await;
    let slip = browser.text("table.control").await;
    for who in [
        "Vũ Văn Nhận",
        "Hoàng Thị Chuyên",
        "Phạm Thị Lãnh",
        "Bùi Thị Thư",
    ] {
        assert!(slip.contains(who), "{who} on the control slip: {slip}");
    }
    browser.sign_out().await;

    // The applicant follows it without signing in.
    browser.goto("/tra-cuu").await;
    browser.fill("#code", &code).await;
    browser.fill("#key", &key).await;
    browser.click("form.search button").await;
    browser.wait_for_url("key=").await;
    assert_eq!(browser.text("#public-status").await, "Đã trả kết quả");
    browser.call(reqwest::Method::DELETE, "", None).await;
}
