//! GMT gene-set files (MSigDB / Broad format): one set per line, tab-separated
//! `name`, `description`, then the genes.
//!
//! Blank lines and empty fields (trailing tabs) are skipped; CRLF line endings are accepted. A line
//! without a name, description and at least one gene is malformed and reported with its number.

use crate::error::GseaError;
use std::path::Path;

/// One gene set as read from, or written to, a GMT file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GmtSet {
    pub name: String,
    pub description: String,
    pub genes: Vec<String>,
}

/// Parses GMT text.
pub fn parse_gmt(text: &str) -> Result<Vec<GmtSet>, GseaError> {
    let mut sets = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        sets.push(parse_line(line, index + 1)?);
    }
    Ok(sets)
}

fn parse_line(line: &str, number: usize) -> Result<GmtSet, GseaError> {
    let fields: Vec<&str> = line.split('\t').collect();
    let malformed = |problem: String| GseaError::MalformedGmt { line: number, problem };
    let name = fields[0].trim();
    if name.is_empty() {
        return Err(malformed("has an empty gene-set name (first field)".to_string()));
    }
    if fields.len() < 3 {
        return Err(malformed(format!(
            "(`{}`) has {} tab-separated field{}; expected a name, a description and at least one gene",
            name,
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        )));
    }
    let genes: Vec<String> =
        fields[2..].iter().map(|g| g.trim()).filter(|g| !g.is_empty()).map(str::to_string).collect();
    if genes.is_empty() {
        return Err(malformed(format!("(`{}`) lists no genes", name)));
    }
    Ok(GmtSet { name: name.to_string(), description: fields[1].trim().to_string(), genes })
}

/// Reads and parses a GMT file.
pub fn read_gmt(path: &Path) -> Result<Vec<GmtSet>, GseaError> {
    let bytes = std::fs::read(path)
        .map_err(|e| GseaError::invalid("path", format!("cannot be read ({}): {}", path.display(), e)))?;
    let text = String::from_utf8_lossy(&bytes);
    parse_gmt(&text)
}

/// GMT text for `sets`. Names, descriptions and genes must not contain tabs or line breaks.
pub fn format_gmt(sets: &[GmtSet]) -> Result<String, GseaError> {
    let mut out = String::new();
    for set in sets {
        let fields = std::iter::once(&set.name).chain(std::iter::once(&set.description)).chain(&set.genes);
        for field in fields.clone() {
            if field.contains(['\t', '\n', '\r']) {
                return Err(GseaError::invalid(
                    "sets",
                    format!("set `{}` contains a tab or line break in `{}`", set.name, field),
                ));
            }
        }
        if set.name.is_empty() {
            return Err(GseaError::invalid("sets", "has a set with an empty name"));
        }
        out.push_str(&fields.cloned().collect::<Vec<_>>().join("\t"));
        out.push('\n');
    }
    Ok(out)
}

/// Writes `sets` as a GMT file.
pub fn write_gmt(sets: &[GmtSet], path: &Path) -> Result<(), GseaError> {
    let text = format_gmt(sets)?;
    std::fs::write(path, text)
        .map_err(|e| GseaError::invalid("path", format!("cannot be written ({}): {}", path.display(), e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sets_skipping_blank_lines_and_empty_fields() {
        let text = "A\tdesc a\tG1\tG2\t\r\n\nB\thttp://x\tG3\n";
        let sets = parse_gmt(text).unwrap();
        assert_eq!(sets.len(), 2);
        assert_eq!(sets[0].genes, vec!["G1", "G2"]);
        assert_eq!(sets[1].name, "B");
        assert_eq!(sets[1].description, "http://x");
    }

    #[test]
    fn malformed_line_is_named() {
        let err = parse_gmt("A\td\tG1\nB only\n").unwrap_err();
        assert_eq!(err, GseaError::MalformedGmt { line: 2, problem: err_problem(&err) });
        assert!(err.to_string().starts_with("line 2 of the GMT file"), "{err}");
        let err = parse_gmt("A\td\tG1\n\nC\tdesc\t\t\n").unwrap_err();
        assert!(err.to_string().contains("line 3") && err.to_string().contains("no genes"), "{err}");
        let err = parse_gmt("\td\tG1\n").unwrap_err();
        assert!(err.to_string().contains("line 1") && err.to_string().contains("empty"), "{err}");
    }

    fn err_problem(e: &GseaError) -> String {
        match e {
            GseaError::MalformedGmt { problem, .. } => problem.clone(),
            _ => String::new(),
        }
    }

    #[test]
    fn format_round_trips() {
        let sets = vec![
            GmtSet { name: "S1".into(), description: "NA".into(), genes: vec!["a".into(), "b".into()] },
            GmtSet { name: "S2".into(), description: "d".into(), genes: vec!["c".into()] },
        ];
        let text = format_gmt(&sets).unwrap();
        assert_eq!(text, "S1\tNA\ta\tb\nS2\td\tc\n");
        assert_eq!(parse_gmt(&text).unwrap(), sets);
        let bad = vec![GmtSet { name: "S\t1".into(), description: "".into(), genes: vec!["a".into()] }];
        assert!(format_gmt(&bad).is_err());
    }
}
