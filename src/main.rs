//! The `relumip` command line: parses flags and hands over to `cli::run`.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            match err.downcast_ref::<relumip::error::Error>() {
                Some(e) if !e.is_user_error() => ExitCode::from(1),
                Some(_) => ExitCode::from(2),
                None => match err.downcast_ref::<cli::UsageError>() {
                    Some(_) => ExitCode::from(2),
                    None => ExitCode::from(1),
                },
            }
        }
    }
}
