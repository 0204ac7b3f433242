//! The date line of an article as ISO 8601 (`2024-03-14`, `2024-03-14T10:30`,
//! `2024-03-14T10:30+01:00`), read from the forms news pages print in English, German, French,
//! Spanish, Portuguese, Russian and Japanese. Runs once per article, on its date line only.

use std::fmt::Write as _;

/// Month names and abbreviations, lowercase, with their number.
const MONTHS: &[(&str, u32)] = &[
    // English.
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German.
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("mär", 3),
    ("okt", 10),
    ("dez", 12),
    // French.
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("avr", 4),
    ("juil", 7),
    ("déc", 12),
    // Spanish.
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    // Portuguese.
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // Russian: genitive (the form after a day) and nominative.
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    ("январь", 1),
    ("февраль", 2),
    ("март", 3),
    ("апрель", 4),
    ("май", 5),
    ("июнь", 6),
    ("июль", 7),
    ("август", 8),
    ("сентябрь", 9),
    ("октябрь", 10),
    ("ноябрь", 11),
    ("декабрь", 12),
];

/// Time zone abbreviations and their offsets in minutes.
const ZONES: &[(&str, i32)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("wet", 0),
    ("bst", 60),
    ("cet", 60),
    ("mez", 60),
    ("cest", 120),
    ("mesz", 120),
    ("eet", 120),
    ("eest", 180),
    ("msk", 180),
    ("jst", 540),
    ("kst", 540),
    ("est", -300),
    ("edt", -240),
    ("cst", -360),
    ("cdt", -300),
    ("mst", -420),
    ("mdt", -360),
    ("pst", -480),
    ("pdt", -420),
    ("мск", 180),
];

/// One piece of a date line.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A run of ASCII digits: its value and its number of digits.
    Num(u32, usize),
    /// A run of letters, lowercase.
    Word(String),
    /// Any other character (punctuation, CJK date marks), not whitespace.
    Sym(char),
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut value = 0u32;
            let mut n = 0;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(d);
                n += 1;
                chars.next();
            }
            out.push(Tok::Num(value, n));
        } else if c.is_alphabetic() && !is_cjk_mark(c) {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if !c.is_alphabetic() || is_cjk_mark(c) {
                    break;
                }
                word.extend(c.to_lowercase());
                chars.next();
            }
            out.push(Tok::Word(word));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sym(c));
            }
            chars.next();
        }
    }
    out
}

fn is_cjk_mark(c: char) -> bool {
    matches!(c, '年' | '月' | '日' | '時' | '分' | '秒')
}

fn month_of(word: &str) -> Option<u32> {
    MONTHS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|&(_, m)| m)
}

fn is_year(tok: Option<&Tok>) -> Option<u32> {
    match tok {
        Some(&Tok::Num(y, 4)) if (1900..=2100).contains(&y) => Some(y),
        _ => None,
    }
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date, and where in the tokens it ends.
struct Date {
    year: u32,
    month: u32,
    day: u32,
    end: usize,
}

impl Date {
    fn new(year: u32, month: u32, day: u32, end: usize) -> Option<Date> {
        ((1..=12).contains(&month) && (1..=days_in(year, month)).contains(&day)).then_some(Date {
            year,
            month,
            day,
            end,
        })
    }
}

/// The first date in `toks`, numeric or with a month name.
fn find_day(toks: &[Tok]) -> Option<Date> {
    let num = |i: usize| match toks.get(i) {
        Some(&Tok::Num(v, _)) => Some(v),
        _ => None,
    };
    let sym = |i: usize| match toks.get(i) {
        Some(&Tok::Sym(c)) => Some(c),
        _ => None,
    };
    for i in 0..toks.len() {
        // Year first: 2024-03-14, 2024/03/14, 2024.03.14, 2024年3月14日.
        if let Some(year) = is_year(toks.get(i)) {
            let (s1, s2) = (sym(i + 1), sym(i + 3));
            if let (Some(month), Some(day)) = (num(i + 2), num(i + 4)) {
                let is_numeric = s1 == s2 && matches!(s1, Some('-' | '/' | '.'));
                let is_cjk = s1 == Some('年') && s2 == Some('月') && sym(i + 5) == Some('日');
                if is_numeric || is_cjk {
                    let end = if is_cjk { i + 6 } else { i + 5 };
                    if let Some(day) = Date::new(year, month, day, end) {
                        return Some(day);
                    }
                }
            }
        }
        // Day first: 14.03.2024 (German, Russian, French…), 14/03/2024; 03/14/2024 (US) only
        // when the day cannot be the first number. 03/04/2024 stays unread.
        if let (Some(a), Some(b), Some(year)) = (num(i), num(i + 2), is_year(toks.get(i + 4))) {
            let (s1, s2) = (sym(i + 1), sym(i + 3));
            if s1 == s2
                && matches!(s1, Some('.' | '/' | '-'))
                && matches!(toks[i], Tok::Num(_, 1 | 2))
            {
                let (day, month) = if s1 == Some('/') && a <= 12 && b <= 12 && a != b {
                    continue;
                } else if b > 12 {
                    (b, a)
                } else {
                    (a, b)
                };
                if let Some(day) = Date::new(year, month, day, i + 5) {
                    return Some(day);
                }
            }
        }
        // A month name: 14 March 2024, March 14, 2024, 14. März 2024, 14 de marzo de 2024,
        // le 1er mars 2024, 14 марта 2024 года.
        if let Some(Tok::Word(word)) = toks.get(i) {
            let Some(month) = month_of(word.trim_end_matches('.')) else {
                continue;
            };
            let skip = |mut j: usize, forward: bool| {
                loop {
                    match toks.get(j) {
                        Some(Tok::Sym('.' | ',')) => {}
                        Some(Tok::Word(w)) if w == "de" || w == "del" => {}
                        _ => return j,
                    }
                    if forward {
                        j += 1;
                    } else if j == 0 {
                        return usize::MAX;
                    } else {
                        j -= 1;
                    }
                }
            };
            // The day before the month (skipping ".", "de"), else just after it.
            let before = i.checked_sub(1).map(|j| skip(j, false));
            let day_before = before.and_then(|j| match toks.get(j) {
                Some(&Tok::Num(d, 1 | 2)) => Some(d),
                // 1er, 1st, 2nd, 3rd, 14th.
                Some(Tok::Word(w)) if ["er", "st", "nd", "rd", "th"].contains(&w.as_str()) => {
                    j.checked_sub(1).and_then(num)
                }
                _ => None,
            });
            let mut j = skip(i + 1, true);
            let day = match day_before {
                Some(d) => d,
                None => match toks.get(j) {
                    Some(&Tok::Num(d, 1 | 2)) => {
                        j += 1;
                        if matches!(toks.get(j), Some(Tok::Word(w)) if ["st", "nd", "rd", "th"].contains(&w.as_str()))
                        {
                            j += 1;
                        }
                        j = skip(j, true);
                        d
                    }
                    _ => continue,
                },
            };
            let Some(year) = is_year(toks.get(j)) else {
                continue;
            };
            if let Some(day) = Date::new(year, month, day, j + 1) {
                return Some(day);
            }
        }
    }
    None
}

/// A clock time at or after `start`: `10:30`, `10:30:15`, `10h30`, `10時30分`, with `am`/`pm`,
/// and a zone (`UTC`, `+01:00`, `CET`) when one follows. Returns `HH:MM[:SS]` and the zone.
fn find_time(toks: &[Tok], start: usize) -> Option<(String, Option<String>)> {
    let num = |i: usize| match toks.get(i) {
        Some(&Tok::Num(v, n)) => Some((v, n)),
        _ => None,
    };
    for i in start..toks.len() {
        let Some((hour, 1 | 2)) = num(i) else {
            continue;
        };
        let sep = toks.get(i + 1);
        let is_sep = matches!(sep, Some(Tok::Sym(':' | '時')))
            || matches!(sep, Some(Tok::Word(w)) if w == "h");
        let Some((minute, 2)) = num(i + 2).filter(|_| is_sep) else {
            continue;
        };
        let mut j = i + 3;
        if matches!(toks.get(j), Some(Tok::Sym('分'))) {
            j += 1;
        }
        let mut second = None;
        if matches!(toks.get(j), Some(Tok::Sym(':'))) {
            if let Some((s, 2)) = num(j + 1) {
                second = Some(s);
                j += 2;
            }
        }
        let mut hour = hour;
        match toks.get(j) {
            Some(Tok::Word(w)) if w == "am" || w == "pm" => {
                if hour == 0 || hour > 12 {
                    return None;
                }
                hour = hour % 12 + if w == "pm" { 12 } else { 0 };
                j += 1;
            }
            // a.m. / p.m.
            Some(Tok::Word(a))
                if (a == "a" || a == "p")
                    && matches!(toks.get(j + 1), Some(Tok::Sym('.')))
                    && matches!(toks.get(j + 2), Some(Tok::Word(m)) if m == "m")
                    && (1..=12).contains(&hour) =>
            {
                hour = hour % 12 + if a == "p" { 12 } else { 0 };
                j += 3;
                if matches!(toks.get(j), Some(Tok::Sym('.'))) {
                    j += 1;
                }
            }
            _ => {}
        }
        if hour > 23 || minute > 59 || second.is_some_and(|s| s > 59) {
            return None;
        }
        let mut time = format!("{hour:02}:{minute:02}");
        if let Some(s) = second {
            let _ = write!(time, ":{s:02}");
        }
        return Some((time, find_zone(toks, j)));
    }
    None
}

/// The zone right after a time: an abbreviation, `Z`, or an offset `+01:00`, `+0100`,
/// `UTC+1`.
fn find_zone(toks: &[Tok], j: usize) -> Option<String> {
    let mut j = j;
    // "10:30 Uhr MEZ", "18:02 (UTC+2)".
    if matches!(toks.get(j), Some(Tok::Word(w)) if w == "uhr") {
        j += 1;
    }
    if matches!(toks.get(j), Some(Tok::Sym('(' | ','))) {
        j += 1;
    }
    let mut base = 0;
    if let Some(Tok::Word(w)) = toks.get(j) {
        let &(_, minutes) = ZONES.iter().find(|(name, _)| name == w)?;
        base = minutes;
        j += 1;
        if !matches!(toks.get(j), Some(Tok::Sym('+' | '-'))) {
            return Some(offset(base));
        }
    }
    let sign = match toks.get(j) {
        Some(Tok::Sym('+')) => 1,
        Some(Tok::Sym('-' | '−')) => -1,
        _ => return None,
    };
    let minutes = match (toks.get(j + 1), toks.get(j + 2), toks.get(j + 3)) {
        (Some(&Tok::Num(h, 2)), Some(Tok::Sym(':')), Some(&Tok::Num(m, 2))) => h * 60 + m,
        (Some(&Tok::Num(hm, 4)), _, _) => hm / 100 * 60 + hm % 100,
        (Some(&Tok::Num(h, 1 | 2)), _, _) => h * 60,
        _ => return None,
    };
    if minutes > 14 * 60 {
        return None;
    }
    Some(offset(base + sign * minutes as i32))
}

fn offset(minutes: i32) -> String {
    if minutes == 0 {
        return "Z".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The date (and time, and zone, when the line has them) of a date line, as ISO 8601; `None`
/// when the line holds no date that reads one way only.
pub fn iso_date(line: &str) -> Option<String> {
    let toks = tokens(line);
    let day = find_day(&toks)?;
    let mut iso = format!("{:04}-{:02}-{:02}", day.year, day.month, day.day);
    if let Some((time, zone)) = find_time(&toks, day.end) {
        iso.push('T');
        iso.push_str(&time);
        if let Some(zone) = zone {
            iso.push_str(&zone);
        }
    }
    Some(iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(line: &str, expected: Option<&str>) {
        assert_eq!(iso_date(line).as_deref(), expected, "{line}");
    }

    #[test]
    fn english() {
        check("March 14, 2024", Some("2024-03-14"));
        check("Published 14 March 2024", Some("2024-03-14"));
        check(
            "Updated: Mar. 14th, 2024 10:30 a.m. EST",
            Some("2024-03-14T10:30-05:00"),
        );
        check("July 24, 2012 12:11 am", Some("2012-07-24T00:11"));
        check(
            "Posted on Tuesday, 2 May 2023 at 3:05 pm",
            Some("2023-05-02T15:05"),
        );
        check("2024-03-14T10:30:00Z", Some("2024-03-14T10:30:00Z"));
        check("2024-03-14 10:30 +0100", Some("2024-03-14T10:30+01:00"));
        check("03/14/2024", Some("2024-03-14"));
        check("14/03/2024 10:30 GMT", Some("2024-03-14T10:30Z"));
    }

    #[test]
    fn german() {
        check("14. März 2024", Some("2024-03-14"));
        check(
            "Veröffentlicht am 14.03.2024, 10:30 Uhr",
            Some("2024-03-14T10:30"),
        );
        check(
            "Stand: 1. Dezember 2023, 18:45 Uhr MEZ",
            Some("2023-12-01T18:45+01:00"),
        );
    }

    #[test]
    fn french() {
        check("Publié le 14 mars 2024 à 10h30", Some("2024-03-14T10:30"));
        check("le 1er août 2023", Some("2023-08-01"));
        check(
            "Mis à jour le 13/04/2024 à 18:02 (UTC+2)",
            Some("2024-04-13T18:02+02:00"),
        );
    }

    #[test]
    fn spanish() {
        check("14 de marzo de 2024", Some("2024-03-14"));
        check(
            "Actualizado el 2 de diciembre de 2023, 08:15 CET",
            Some("2023-12-02T08:15+01:00"),
        );
    }

    #[test]
    fn russian() {
        check("14 марта 2024", Some("2024-03-14"));
        check("14 марта 2024 года, 10:30", Some("2024-03-14T10:30"));
        check(
            "Опубликовано: 01.02.2024 09:05 МСК",
            Some("2024-02-01T09:05+03:00"),
        );
    }

    #[test]
    fn japanese() {
        check("2024年3月14日", Some("2024-03-14"));
        check("2024年3月14日 10時30分", Some("2024-03-14T10:30"));
        check(
            "公開日：2024/03/14 10:30 JST",
            Some("2024-03-14T10:30+09:00"),
        );
    }

    #[test]
    fn no_date_or_ambiguous() {
        check("By Marta Keller", None);
        check("03/04/2024", None);
        check("31 February 2024", None);
        check("May we go", None);
        check("2024", None);
        check("the 500 cars of 2024", None);
    }
}
