use std::process::ExitCode;

use clap::Subcommand;
use motcua_server::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain; exits 1 naming the first entry that does not match.
    Verify,
}

pub async fn run(config: Config, command: AuditCommand) -> ExitCode {
    match command {
        AuditCommand::Verify => {
            let store = match super::open_store(&config).await {
                Ok(s) => s,
                Err(e) => return super::fail(&e),
            };
            let result = store.verify_audit().await;
            store.close().await;
            match result {
                Ok(Ok(count)) => {
                    println!(
                        "{}",
                        serde_json::json!({ "status": "ok", "entries": count })
                    );
                    eprintln!("Chuỗi nhật ký toàn vẹn: {count} bản ghi.");
                    ExitCode::SUCCESS
                }
                Ok(Err(broken)) => {
                    let seq = match broken {
                        motcua_domain::audit::ChainBreak::Gap { expected_seq, .. } => expected_seq,
                        motcua_domain::audit::ChainBreak::Link { seq }
                        | motcua_domain::audit::ChainBreak::Content { seq } => seq,
                        motcua_domain::audit::ChainBreak::Truncated { last_seq, .. } => {
                            last_seq + 1
                        }
                    };
                    println!(
                        "{}",
                        serde_json::json!({ "status": "broken", "first_bad_entry": seq, "reason": broken.describe() })
                    );
                    eprintln!("lỗi: chuỗi nhật ký bị phá vỡ: {}", broken.describe());
                    ExitCode::from(1)
                }
                Err(e) => super::fail(&e),
            }
        }
    }
}
