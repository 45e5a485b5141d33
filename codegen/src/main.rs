//! Command-line front end of the generator: `diff` compares two versions of the OpenAPI
//! document, `generate` prints the Rust the build would generate. Run with `--help`, or
//! `help SUBCOMMAND`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use openrouter_workspaces_codegen::{Config, DEFAULT_TAG, diff, generate_report};

/// The generator of the OpenRouter Workspaces client.
#[derive(Debug, Parser)]
#[command(
    name = "openrouter-workspaces-codegen",
    version,
    after_help = "Exit status:\n  \
        0  success (for diff, also when there are differences)\n  \
        1  diff --fail-on-breaking found a breaking change\n  \
        2  bad arguments, or a document that cannot be read or understood"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare the operations of two OpenAPI documents for users of the generated client.
    ///
    /// The documents (JSON or YAML, OpenAPI 3.0 or 3.1) are matched by operationId, and
    /// each difference is classified as [breaking] or [compatible] for users of the
    /// generated Rust client: operations, methods and paths, parameters, request body
    /// fields, response statuses and response fields.
    #[command(
        after_help = "Example: what a newer upstream document changes for this client\n  \
            openrouter-workspaces-codegen diff openapi/workspaces.yaml openrouter-new.yaml"
    )]
    Diff(DiffArgs),
    /// Print the Rust source generated from SPEC.
    ///
    /// The source goes to standard output; operations that cannot be generated are named
    /// on standard error, one warning each.
    #[command(after_help = "Example:\n  \
        openrouter-workspaces-codegen generate openrouter-new.yaml --tags 'Workspaces,API Keys'")]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The document the client was generated from.
    old: PathBuf,
    /// The newer document.
    new: PathBuf,
    #[command(flatten)]
    tags: Tags,
    /// Print a JSON array of {operation, method, path, location, change, kind, detail}
    /// objects instead of the report.
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when a breaking change is found.
    #[arg(long)]
    fail_on_breaking: bool,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// The OpenAPI document.
    spec: PathBuf,
    #[command(flatten)]
    tags: Tags,
}

#[derive(Debug, Args)]
struct Tags {
    /// The tags whose operations are compared or generated, comma-separated.
    #[arg(long = "tags", value_name = "A,B", default_value = DEFAULT_TAG, value_parser = parse_tags)]
    tags: TagList,
}

/// A non-empty list of tag names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TagList(Vec<String>);

fn parse_tags(value: &str) -> Result<TagList, String> {
    let tags: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    if tags.is_empty() {
        return Err("needs at least one tag name".into());
    }
    Ok(TagList(tags))
}

fn main() -> ExitCode {
    // Usage errors exit 2 and `--help` 0, with clap's own text.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("openrouter-workspaces-codegen: error: {line}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Diff(args) => {
            let tags = args.tags.tags.0;
            let changes =
                diff::diff_files(&args.old, &args.new, &tags).map_err(|e| e.to_string())?;
            if args.json {
                let text = serde_json::to_string_pretty(&diff::to_json(&changes))
                    .map_err(|e| e.to_string())?;
                print(&format!("{text}\n"));
            } else {
                print(&format!(
                    "{} -> {} (tags: {})\n\n{}",
                    args.old.display(),
                    args.new.display(),
                    tags.join(", "),
                    diff::render(&changes)
                ));
            }
            if args.fail_on_breaking && diff::has_breaking(&changes) {
                Ok(ExitCode::from(1))
            } else {
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Generate(args) => {
            let config = Config {
                tags: args.tags.tags.0,
                ..Config::new(args.spec)
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
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        let mut argv = vec!["openrouter-workspaces-codegen"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).map(|cli| cli.command)
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn diff_with_every_option() {
        let Command::Diff(diff) = parse(&[
            "diff",
            "a.yaml",
            "--tags=A, B",
            "b.yaml",
            "--json",
            "--fail-on-breaking",
        ])
        .unwrap() else {
            panic!("not diff");
        };
        assert_eq!(diff.old, PathBuf::from("a.yaml"));
        assert_eq!(diff.new, PathBuf::from("b.yaml"));
        assert_eq!(diff.tags.tags, TagList(vec!["A".into(), "B".into()]));
        assert!(diff.json && diff.fail_on_breaking);
    }

    #[test]
    fn the_default_tag_is_workspaces() {
        let Command::Generate(generate) = parse(&["generate", "s.yaml"]).unwrap() else {
            panic!("not generate");
        };
        assert_eq!(generate.spec, PathBuf::from("s.yaml"));
        assert_eq!(generate.tags.tags, TagList(vec![DEFAULT_TAG.into()]));
    }

    #[test]
    fn every_subcommand_has_its_help() {
        for args in [&["diff", "--help"][..], &["help", "generate"], &["--help"]] {
            let error = parse(args).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::DisplayHelp,
                "{args:?}"
            );
        }
        let help = parse(&["diff", "--help"]).unwrap_err().to_string();
        assert!(help.contains("--fail-on-breaking"), "{help}");
        assert!(
            help.contains("Usage: openrouter-workspaces-codegen diff"),
            "{help}"
        );
        let help = parse(&["generate", "--help"]).unwrap_err().to_string();
        assert!(
            help.contains("Usage: openrouter-workspaces-codegen generate"),
            "{help}"
        );
        assert!(!help.contains("--json"), "{help}");
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
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
            let error = parse(bad).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{bad:?}: {error}");
        }
    }
}
