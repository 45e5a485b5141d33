//! `--output table`: answers as aligned columns for people. The columns are fields of the
//! answer's model in the document, any of which `--columns` can choose; a short table of
//! overrides picks the default columns of the models the tool knows and curates their
//! headings and formats. A field the document does not describe is never a column (the
//! JSON keeps everything the server sent). Dates are shown in UTC to the minute, amounts in
//! dollars.

use clap::builder::PossibleValuesParser;
use openrouter_workspaces::schema::{Field, Kind, Model};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// Between two columns.
const GAP: &str = "  ";
/// What an empty (null) field shows.
const NONE: &str = "-";

/// The columns a table shows by default, by schema name; a model not listed shows every
/// field, and a field its document lacks is left out.
const DEFAULT_COLUMNS: &[(&str, &[&str])] = &[
    (
        "Workspace",
        &[
            "slug",
            "name",
            "default_text_model",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "WorkspaceBudget",
        &["reset_interval", "limit_usd", "created_at", "updated_at"],
    ),
    ("WorkspaceMember", &["user_id", "role", "created_at"]),
];

/// Curated headings and formats: the field `field` of the schema `model` (of any schema
/// when `model` is empty; a schema's own entry wins). A field not listed is headed by its
/// name in capitals.
const CURATED: &[Curated] = &[
    Curated::of("", "default_text_model").heading("TEXT MODEL"),
    Curated::of("", "created_at").heading("CREATED"),
    Curated::of("", "updated_at").heading("UPDATED"),
    Curated::of("WorkspaceMember", "created_at").heading("ADDED"),
    Curated::of("WorkspaceMember", "user_id").heading("USER"),
    // The document: "null marks a lifetime (one-off) budget".
    Curated::of("WorkspaceBudget", "reset_interval")
        .heading("INTERVAL")
        .null_as("lifetime"),
    Curated::of("WorkspaceBudget", "limit_usd")
        .heading("LIMIT")
        .dollars(),
];

/// A curated column.
#[derive(Debug, Clone, Copy)]
struct Curated {
    /// The schema name, or empty for every schema.
    model: &'static str,
    /// The field.
    field: &'static str,
    /// The heading, in capitals.
    heading: Option<&'static str>,
    /// What a null shows.
    null: &'static str,
    /// Amounts in dollars.
    dollars: bool,
}

impl Curated {
    /// Nothing curated yet.
    const fn of(model: &'static str, field: &'static str) -> Self {
        Self {
            model,
            field,
            heading: None,
            null: NONE,
            dollars: false,
        }
    }

    /// Headed `heading`.
    const fn heading(self, heading: &'static str) -> Self {
        Self {
            heading: Some(heading),
            ..self
        }
    }

    /// A null shows `text`.
    const fn null_as(self, text: &'static str) -> Self {
        Self { null: text, ..self }
    }

    /// Amounts in dollars.
    const fn dollars(self) -> Self {
        Self {
            dollars: true,
            ..self
        }
    }
}

/// How a column shows its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// As the value is.
    Plain,
    /// A date-time in UTC to the minute.
    Date,
    /// An amount in dollars.
    Dollars,
}

/// A column: a field of the model, its heading and how its cells are shown.
#[derive(Debug, Clone)]
pub struct Column {
    /// The field's name in the document.
    field: &'static str,
    /// The heading, in capitals.
    heading: String,
    /// How cells are shown.
    cell: Cell,
    /// Whether cells keep to the right (numbers), not the left.
    right: bool,
    /// What a null or missing value shows.
    null: &'static str,
}

impl Column {
    /// The column of `field` of `model`: curated, or derived from the field's type.
    fn of(model: &Model, field: &'static Field) -> Self {
        let curated = CURATED
            .iter()
            .filter(|c| c.field == field.name && (c.model.is_empty() || c.model == model.name))
            .max_by_key(|c| !c.model.is_empty());
        let cell = match curated {
            Some(c) if c.dollars => Cell::Dollars,
            // Timestamps: a `date-time` format, or the API's `…_at` names.
            _ if field.shape.format == Some("date-time") || field.name.ends_with("_at") => {
                Cell::Date
            }
            _ => Cell::Plain,
        };
        Self {
            field: field.name,
            heading: curated.and_then(|c| c.heading).map_or_else(
                || field.name.to_uppercase().replace('_', " "),
                str::to_string,
            ),
            cell,
            right: cell == Cell::Dollars
                || matches!(field.shape.kind, Kind::Integer | Kind::Number),
            null: curated.map_or(NONE, |c| c.null),
        }
    }

    /// The cell of one item (a JSON object).
    fn cell(&self, item: &Value) -> String {
        match (item.get(self.field), self.cell) {
            (None | Some(Value::Null), _) => self.null.to_string(),
            (Some(Value::String(text)), Cell::Date) => date(text),
            (Some(Value::Number(n)), Cell::Dollars) => match n.as_f64() {
                Some(usd) => money(usd),
                None => n.to_string(),
            },
            (Some(Value::Array(items)), _) if items.is_empty() => NONE.to_string(),
            (Some(Value::Array(items)), _) => {
                items.iter().map(plain).collect::<Vec<_>>().join(", ")
            }
            (Some(value), _) => plain(value),
        }
    }
}

/// A value as text: a string as it is, anything else as compact JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The columns of a table of `model`: `chosen` (field names, in order), or by default the
/// curated ones the document has, or else every field.
pub fn columns(model: &'static Model, chosen: &[String]) -> Vec<Column> {
    let fields: Vec<&'static Field> = if chosen.is_empty() {
        default_fields(model)
    } else {
        chosen.iter().filter_map(|name| model.field(name)).collect()
    };
    fields
        .into_iter()
        .map(|field| Column::of(model, field))
        .collect()
}

/// The default columns' fields of `model`.
fn default_fields(model: &'static Model) -> Vec<&'static Field> {
    match DEFAULT_COLUMNS.iter().find(|(name, _)| *name == model.name) {
        Some((_, names)) => names.iter().filter_map(|name| model.field(name)).collect(),
        None => model.fields.iter().collect(),
    }
}

/// The parser of `--columns`: the fields of `model` are its possible values.
pub fn column_parser(model: &'static Model) -> PossibleValuesParser {
    PossibleValuesParser::new(model.fields.iter().map(|field| field.name))
}

/// The help of `--columns`, with the default columns of `model`.
pub fn columns_help(model: &'static Model) -> String {
    let defaults: Vec<&str> = default_fields(model).iter().map(|f| f.name).collect();
    format!(
        "The table's columns, comma-separated, in order: any field of the answer (implies \
         --output table) [default: {}]",
        defaults.join(",")
    )
}

/// The headings and one line per item, each column as wide as its widest cell in
/// terminal cells, with no trailing spaces; every line ends in a newline.
pub fn render(columns: &[Column], items: &[Value]) -> String {
    let headings = columns.iter().map(|c| c.heading.clone()).collect();
    let lines: Vec<Vec<String>> = std::iter::once(headings)
        .chain(
            items
                .iter()
                .map(|item| columns.iter().map(|c| c.cell(item)).collect()),
        )
        .map(|cells: Vec<String>| cells.iter().map(|cell| one_line(cell)).collect())
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            lines
                .iter()
                .map(|cells| cells[i].width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for cells in &lines {
        let mut line = String::new();
        for ((cell, column), width) in cells.iter().zip(columns).zip(&widths) {
            let padding = " ".repeat(width - cell.width());
            if !line.is_empty() {
                line.push_str(GAP);
            }
            if column.right {
                line.push_str(&padding);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&padding);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A cell on one line: control characters (line breaks, tabs) become spaces.
fn one_line(cell: &str) -> String {
    cell.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// An amount in dollars with cents and thousands separators: `$1,250.00`.
fn money(usd: f64) -> String {
    let fixed = format!("{:.2}", usd.abs());
    let (whole, cents) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if usd < 0.0 && fixed != "0.00" {
        "-"
    } else {
        ""
    };
    format!("{sign}${grouped}.{cents}")
}

/// An RFC 3339 date-time in UTC to the minute (`2026-11-30 16:02 UTC`); text that is not
/// one is shown as it is.
fn date(text: &str) -> String {
    let Some(minutes) = utc_minutes(text) else {
        return text.to_string();
    };
    let (days, minute) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute / 60,
        minute % 60
    )
}

/// Minutes since 1970-01-01 00:00 UTC of an RFC 3339 date-time such as
/// `2026-11-30T17:02:09.5+01:00` (seconds and their fraction dropped).
fn utc_minutes(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let at = |i: usize, allowed: &[u8]| bytes.get(i).is_some_and(|b| allowed.contains(b));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (
        digits(text, 0, 4)?,
        digits(text, 5, 2)?,
        digits(text, 8, 2)?,
    );
    let (hour, minute, second) = (
        digits(text, 11, 2)?,
        digits(text, 14, 2)?,
        digits(text, 17, 2)?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // 60 is a leap second.
    if second > 60 {
        return None;
    }
    let mut zone = text.get(19..)?;
    if let Some(fraction) = zone.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return None;
        }
        zone = &fraction[count..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ if zone.len() == 6 && zone.as_bytes()[3] == b':' => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (digits(zone, 1, 2)? * 60 + digits(zone, 4, 2)?)
        }
        _ => return None,
    };
    Some(days_from_civil(year, month, day) * 1440 + hour * 60 + minute - offset)
}

/// The number written with `len` ASCII digits at byte `from` of `text`.
fn digits(text: &str, from: usize, len: usize) -> Option<i64> {
    let part = text.get(from..from + len)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month, day) of a number of days since 1970-01-01: the inverse of
/// [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_utc_to_the_minute() {
        assert_eq!(date("2026-11-30T16:02:59.123Z"), "2026-11-30 16:02 UTC");
        assert_eq!(date("2026-11-30t16:02:00z"), "2026-11-30 16:02 UTC");
        // An offset is taken away, across the end of a day, a month and a year.
        assert_eq!(date("2027-01-01T01:30:00+02:00"), "2026-12-31 23:30 UTC");
        assert_eq!(date("2024-02-28T23:45:00-00:30"), "2024-02-29 00:15 UTC");
        assert_eq!(date("1970-01-01T00:00:00Z"), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn text_that_is_not_a_date_is_shown_as_it_is() {
        for text in [
            "",
            "yesterday",
            "2026-11-30",
            "2026-11-30T16:02:00",
            "2026-13-01T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T16:02:00.Z",
            "2026-11-30T16:02:00+0200",
            "2026-11-30T16:02:00+02:é",
            "+026-11-30T16:02:00Z",
        ] {
            assert_eq!(date(text), text);
        }
    }

    #[test]
    fn days_and_dates_agree_over_four_centuries() {
        for days in (-146_097..146_097).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn money_has_cents_and_thousands_separators() {
        assert_eq!(money(150.0), "$150.00");
        assert_eq!(money(25.5), "$25.50");
        assert_eq!(money(1250.0), "$1,250.00");
        assert_eq!(money(1_234_567.891), "$1,234,567.89");
        assert_eq!(money(0.001), "$0.00");
        assert_eq!(money(-5.0), "-$5.00");
    }

    /// Two columns of fixed headings, to test the layout alone.
    fn pair() -> Vec<Column> {
        let column = |field: &'static str, heading: &str, right| Column {
            field,
            heading: heading.to_string(),
            cell: Cell::Plain,
            right,
            null: NONE,
        };
        vec![
            column("name", "NAME", false),
            column("amount", "AMOUNT", true),
        ]
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_in_terminal_cells() {
        let rows = [
            ("Zoë", "$5.00"),
            ("東京", "$1,250.00"),
            ("a\tb\nc", "$0.00"),
        ]
        .map(|(name, amount)| serde_json::json!({"name": name, "amount": amount}));
        let table = render(&pair(), &rows);
        assert_eq!(
            table,
            "NAME      AMOUNT\n\
             Zoë        $5.00\n\
             東京   $1,250.00\n\
             a b c      $0.00\n"
        );
    }

    /// The headings of the columns of `model` chosen by `names` (the defaults when empty).
    fn headings(model: &'static Model, names: &[&str]) -> Vec<String> {
        let chosen: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        columns(model, &chosen)
            .into_iter()
            .map(|c| c.heading)
            .collect()
    }

    #[test]
    fn default_columns_are_curated_and_others_are_named_after_their_field() {
        use openrouter_workspaces::Described;
        use openrouter_workspaces::types::{Workspace, WorkspaceBudget, WorkspaceMember};
        assert_eq!(
            headings(Workspace::schema(), &[]),
            ["SLUG", "NAME", "TEXT MODEL", "CREATED", "UPDATED"]
        );
        assert_eq!(
            headings(WorkspaceBudget::schema(), &[]),
            ["INTERVAL", "LIMIT", "CREATED", "UPDATED"]
        );
        assert_eq!(
            headings(WorkspaceMember::schema(), &[]),
            ["USER", "ROLE", "ADDED"]
        );
        assert_eq!(
            headings(Workspace::schema(), &["disabled_server_tools", "slug"]),
            ["DISABLED SERVER TOOLS", "SLUG"]
        );
    }

    #[test]
    fn cells_follow_the_fields_type_and_curation() {
        use openrouter_workspaces::Described;
        use openrouter_workspaces::types::{Workspace, WorkspaceBudget};
        let chosen = [
            "slug",
            "disabled_server_tools",
            "io_logging_sampling_rate",
            "created_at",
        ]
        .map(String::from);
        let table = render(
            &columns(Workspace::schema(), &chosen),
            &[
                serde_json::json!({
                    "slug": "a",
                    "disabled_server_tools": ["openrouter:bash", "openrouter:web_search"],
                    "io_logging_sampling_rate": 0.5,
                    "created_at": "2026-11-30T16:02:59Z",
                }),
                serde_json::json!({"slug": "b", "disabled_server_tools": null, "io_logging_sampling_rate": 1}),
            ],
        );
        assert_eq!(
            table,
            "SLUG  DISABLED SERVER TOOLS                   IO LOGGING SAMPLING RATE  CREATED\n\
             a     openrouter:bash, openrouter:web_search                       0.5  2026-11-30 16:02 UTC\n\
             b     -                                                              1  -\n"
        );
        let budgets = render(
            &columns(WorkspaceBudget::schema(), &[]),
            &[serde_json::json!({"reset_interval": null, "limit_usd": 1250.0})],
        );
        assert!(
            budgets.ends_with("\nlifetime  $1,250.00  -        -\n"),
            "{budgets}"
        );
    }

    #[test]
    fn an_empty_list_is_its_headings() {
        assert_eq!(render(&pair(), &[]), "NAME  AMOUNT\n");
    }
}
