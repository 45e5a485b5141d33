//! `--output table`: answers as aligned columns for people. Only the fields the document
//! describes are shown (the JSON keeps everything the server sent); dates are shown in
//! UTC to the minute, amounts in dollars.

use openrouter_workspaces::types::{Workspace, WorkspaceBudget, WorkspaceMember};
use unicode_width::UnicodeWidthStr;

/// Between two columns.
const GAP: &str = "  ";
/// What an empty (null) field shows.
const NONE: &str = "-";

/// A column: its heading and which side its cells keep to.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The heading, in capitals.
    heading: &'static str,
    /// Whether cells are aligned to the right (amounts), not the left.
    right: bool,
}

impl Column {
    /// A column of text, aligned to the left.
    const fn left(heading: &'static str) -> Self {
        Self {
            heading,
            right: false,
        }
    }

    /// A column of amounts, aligned to the right.
    const fn right(heading: &'static str) -> Self {
        Self {
            heading,
            right: true,
        }
    }
}

/// A kind of item that a table shows one row per item of.
pub trait Row {
    /// The columns, in order.
    const COLUMNS: &'static [Column];

    /// The cells of this item, one per column.
    fn cells(&self) -> Vec<String>;
}

impl Row for Workspace {
    const COLUMNS: &'static [Column] = &[
        Column::left("SLUG"),
        Column::left("NAME"),
        Column::left("TEXT MODEL"),
        Column::left("CREATED"),
        Column::left("UPDATED"),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.slug.clone(),
            self.name.clone(),
            or_none(self.default_text_model.as_deref()),
            date(&self.created_at),
            self.updated_at.as_deref().map_or_else(|| NONE.into(), date),
        ]
    }
}

impl Row for WorkspaceBudget {
    const COLUMNS: &'static [Column] = &[
        Column::left("INTERVAL"),
        Column::right("LIMIT"),
        Column::left("CREATED"),
        Column::left("UPDATED"),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            // A budget without a reset interval is the lifetime one.
            self.reset_interval
                .as_ref()
                .map_or("lifetime", |interval| interval.as_str())
                .to_string(),
            money(self.limit_usd),
            date(&self.created_at),
            date(&self.updated_at),
        ]
    }
}

impl Row for WorkspaceMember {
    const COLUMNS: &'static [Column] = &[
        Column::left("USER"),
        Column::left("ROLE"),
        Column::left("ADDED"),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.user_id.clone(),
            self.role.as_str().to_string(),
            date(&self.created_at),
        ]
    }
}

/// The headings and one line per item, each column as wide as its widest cell in
/// terminal cells, with no trailing spaces; every line ends in a newline.
pub fn render<R: Row>(items: &[R]) -> String {
    let headings = R::COLUMNS.iter().map(|c| c.heading.to_string()).collect();
    let lines: Vec<Vec<String>> = std::iter::once(headings)
        .chain(items.iter().map(|item| item.cells()))
        .map(|cells| cells.iter().map(|cell| one_line(cell)).collect())
        .collect();
    let widths: Vec<usize> = (0..R::COLUMNS.len())
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
        for ((cell, column), width) in cells.iter().zip(R::COLUMNS).zip(&widths) {
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

/// The text, or [`NONE`] when there is none.
fn or_none(text: Option<&str>) -> String {
    text.unwrap_or(NONE).to_string()
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

    /// A row of fixed cells, to test the layout alone.
    struct Pair(&'static str, &'static str);

    impl Row for Pair {
        const COLUMNS: &'static [Column] = &[Column::left("NAME"), Column::right("AMOUNT")];

        fn cells(&self) -> Vec<String> {
            vec![self.0.to_string(), self.1.to_string()]
        }
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_in_terminal_cells() {
        let table = render(&[
            Pair("Zoë", "$5.00"),
            Pair("東京", "$1,250.00"),
            Pair("a\tb\nc", "$0.00"),
        ]);
        assert_eq!(
            table,
            "NAME      AMOUNT\n\
             Zoë        $5.00\n\
             東京   $1,250.00\n\
             a b c      $0.00\n"
        );
    }

    #[test]
    fn an_empty_list_is_its_headings() {
        assert_eq!(render::<Pair>(&[]), "NAME  AMOUNT\n");
    }
}
