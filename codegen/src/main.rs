//! Command-line front end of the generator: `diff` compares two versions of the OpenAPI
//! document, `generate` prints the Rust the build would generate. Run with `--help`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use openrouter_workspaces_codegen::{Config, DEFAULT_TAG, diff, generate_report};

const USAGE: &str = "\
openrouter-workspaces-codegen: the generator of the OpenRouter Workspaces client

Usage:
  openrouter-workspaces-codegen diff OLD NEW [--tags A,B] [--json] [--fail-on-breaking]
  openrouter-workspaces-codegen generate SPEC [--tags A,B]
  openrouter-workspaces-codegen --help

Commands:
  diff       Compare the operations of two OpenAPI documents (JSON or YAML, 3.0 or 3.1),
             matched by operationId, and classify each difference as [breaking] or
             [compatible] for users of the generated Rust client: operations, methods and
             paths, parameters, request body fields, response statuses and response fields.
  generate   Print the Rust source generated from SPEC to standard output; operations
             that cannot be generated are named on standard error.

Options:
  --tags A,B          Compare or generate the operations of these tags (default: Workspaces).
  --json              diff: print a JSON array of {operation, method, path, location,
                      change, kind, detail} objects instead of the report.
  --fail-on-breaking  diff: exit with status 1 when a breaking change is found.
  -h, --help          Print this help.

Exit status:
  0  success (for diff, also when there are differences)
  1  diff --fail-on-breaking found a breaking change
  2  bad arguments, or a document that cannot be read or understood
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Diff {
        old: PathBuf,
        new: PathBuf,
        tags: Vec<String>,
        json: bool,
        fail_on_breaking: bool,
    },
    Generate {
        spec: PathBuf,
        tags: Vec<String>,
    },
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args).and_then(run) {
        Ok(code) => code,
        Err(message) => {
            let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("openrouter-workspaces-codegen: error: {line}");
            ExitCode::from(2)
        }
    }
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut positional: Vec<&str> = Vec::new();
    let mut tags: Option<Vec<String>> = None;
    let mut json = false;
    let mut fail_on_breaking = false;
    let mut options_done = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let arg = arg.as_str();
        if options_done || !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        match arg {
            "--" => options_done = true,
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => json = true,
            "--fail-on-breaking" => fail_on_breaking = true,
            "--tags" => {
                let value = iter
                    .next()
                    .ok_or("--tags needs a value, such as --tags Workspaces")?;
                tags = Some(parse_tags(value)?);
            }
            _ => match arg.strip_prefix("--tags=") {
                Some(value) => tags = Some(parse_tags(value)?),
                None => return Err(format!("unknown option `{arg}`; see --help")),
            },
        }
    }
    let tags = tags.unwrap_or_else(|| vec![DEFAULT_TAG.to_string()]);
    match positional.as_slice() {
        [] => Err("no command given; see --help".into()),
        ["help"] => Ok(Command::Help),
        ["diff", old, new] => Ok(Command::Diff {
            old: PathBuf::from(old),
            new: PathBuf::from(new),
            tags,
            json,
            fail_on_breaking,
        }),
        ["diff", ..] => Err("diff takes two documents, OLD and NEW; see --help".into()),
        ["generate", spec] => {
            if json || fail_on_breaking {
                return Err("--json and --fail-on-breaking apply to diff only".into());
            }
            Ok(Command::Generate {
                spec: PathBuf::from(spec),
                tags,
            })
        }
        ["generate", ..] => Err("generate takes one document, SPEC; see --help".into()),
        [other, ..] => Err(format!("unknown command `{other}`; see --help")),
    }
}

fn parse_tags(value: &str) -> Result<Vec<String>, String> {
    let tags: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    if tags.is_empty() {
        return Err("--tags needs at least one tag name".into());
    }
    Ok(tags)
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Help => {
            print(USAGE);
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            old,
            new,
            tags,
            json,
            fail_on_breaking,
        } => {
            let changes = diff::diff_files(&old, &new, &tags).map_err(|e| e.to_string())?;
            if json {
                let text = serde_json::to_string_pretty(&diff::to_json(&changes))
                    .map_err(|e| e.to_string())?;
                print(&format!("{text}\n"));
            } else {
                print(&format!(
                    "{} -> {} (tags: {})\n\n{}",
                    old.display(),
                    new.display(),
                    tags.join(", "),
                    diff::render(&changes)
                ));
            }
            if fail_on_breaking && diff::has_breaking(&changes) {
                Ok(ExitCode::from(1))
            } else {
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Generate { spec, tags } => {
            let config = Config {
                tags,
                ..Config::new(spec)
            };
            let generated = generate_report(&config).map_err(|e| e.to_string())?;
            for skipped in &generated.skipped {
                eprintln!("openrouter-workspaces-codegen: warning: {skipped}");
            }
            print(&generated.source);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth reporting.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn diff_with_every_option() {
        let parsed = parse_args(&args(&[
            "diff",
            "a.yaml",
            "--tags=A, B",
            "b.yaml",
            "--json",
            "--fail-on-breaking",
        ]))
        .unwrap();
        assert_eq!(
            parsed,
            Command::Diff {
                old: "a.yaml".into(),
                new: "b.yaml".into(),
                tags: vec!["A".into(), "B".into()],
                json: true,
                fail_on_breaking: true,
            }
        );
    }

    #[test]
    fn defaults_and_help() {
        assert_eq!(
            parse_args(&args(&["generate", "s.yaml"])).unwrap(),
            Command::Generate {
                spec: "s.yaml".into(),
                tags: vec!["Workspaces".into()]
            }
        );
        assert_eq!(
            parse_args(&args(&["diff", "--help"])).unwrap(),
            Command::Help
        );
        assert_eq!(parse_args(&args(&["help"])).unwrap(), Command::Help);
    }

    #[test]
    fn bad_arguments_are_errors() {
        for bad in [
            &[][..],
            &["diff", "a.yaml"],
            &["diff", "a", "b", "c"],
            &["diff", "a", "b", "--tags"],
            &["diff", "a", "b", "--tags", " , "],
            &["diff", "a", "b", "--verbose"],
            &["generate", "s.yaml", "--json"],
            &["frobnicate"],
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
