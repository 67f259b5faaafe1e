//! `server create-admin EMAIL`: the password is read from standard input, never from the command
//! line (where `ps` and shell history would keep it). At a terminal it is asked twice with echo
//! off (`stty -echo`); piped in, the first line is the password.
use std::io::{BufRead, IsTerminal, Write};

fn read_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("could not read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Turns terminal echo off (or back on); best effort — without `stty` the password shows.
fn echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}

pub fn read_password(email: &str) -> Result<String, String> {
    if !std::io::stdin().is_terminal() {
        return read_line();
    }
    let ask = |prompt: &str| -> Result<String, String> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        echo(false);
        let line = read_line();
        echo(true);
        eprintln!();
        line
    };
    let first = ask(&format!("Password for {email}: "))?;
    let second = ask("The same password again: ")?;
    if first != second {
        return Err("the two passwords differ; nothing was created".into());
    }
    Ok(first)
}
