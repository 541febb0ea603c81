//! Rendering diagnostics for people (miette), for tools (JSON) and for
//! GitHub Actions (workflow annotations). All functions return strings; the
//! caller decides where they go.

use crate::{Diagnostic, Diagnostics, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

/// Adapter that lets miette draw one of our diagnostics.
#[derive(Debug)]
struct MietteView<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
    /// Secondary labels that point into the same file as the primary span.
    labels: Vec<LabeledSpan>,
}

impl std::fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        let code = self.diagnostic.code;
        Some(Box::new(format!("{}({})", code.id, code.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            crate::Severity::Error => miette::Severity::Error,
            crate::Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn source_span(span: crate::Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

/// Renders every diagnostic as miette draws it: code, `file:line:col`, the
/// underlined source, labels and help. `color` selects ANSI styling.
pub fn render_human(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        let (name, text) = sources
            .get(d.span.file)
            .map(|f| (f.name().to_string(), f.text().to_string()))
            .unwrap_or_default();
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            d.label.clone(),
            source_span(d.span),
        )];
        labels.extend(
            d.secondary
                .iter()
                .filter(|l| l.span.file == d.span.file)
                .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), source_span(l.span))),
        );
        let view = MietteView {
            diagnostic: d,
            source: NamedSource::new(name, text).with_language("zmodel"),
            labels,
        };
        // Writing into a String cannot fail; a formatter error would only
        // lose this one report.
        let _ = handler.render_report(&mut out, &view);
        out.push('\n');
    }
    out
}

/// One diagnostic in the JSON report; lines and columns are 1-based.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub severity: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<String>,
}

/// The whole `--format json` document.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct JsonReport {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub errors: usize,
    pub warnings: usize,
}

impl JsonReport {
    pub fn new(diags: &Diagnostics, sources: &SourceMap) -> Self {
        let diagnostics = diags
            .iter()
            .map(|d| {
                let (file, start, end) = match sources.get(d.span.file) {
                    Some(f) => (
                        f.name().to_string(),
                        f.line_col(d.span.start as usize),
                        f.line_col(d.span.end as usize),
                    ),
                    None => {
                        let origin = crate::LineCol { line: 1, column: 1 };
                        (String::new(), origin, origin)
                    }
                };
                JsonDiagnostic {
                    severity: d.severity.as_str(),
                    code: d.code.id,
                    name: d.code.name,
                    message: d.message.clone(),
                    file,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    help: d.help.clone(),
                }
            })
            .collect();
        JsonReport {
            diagnostics,
            errors: diags.error_count(),
            warnings: diags.warning_count(),
        }
    }
}

/// Renders the `--format json` document.
pub fn render_json(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    serde_json::to_string_pretty(&JsonReport::new(diagnostics, sources)).unwrap_or_default()
}

/// Escapes the data part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders GitHub Actions annotations, one `::error`/`::warning` line each.
pub fn render_github(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let report = JsonReport::new(diagnostics, sources);
    let mut out = String::new();
    for (d, source) in report.diagnostics.iter().zip(diagnostics) {
        let message = match &source.help {
            Some(help) => format!("{}\n\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            d.severity,
            escape_property(&d.file),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            escape_property(&format!("{} {}", d.code, d.name)),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Diagnostic, Span};

    fn sample() -> (Diagnostics, SourceMap) {
        let mut sources = SourceMap::new();
        let file = sources.add("a,b.zmodel", "model A {\n  x Foo\n}\n");
        let mut diags = Diagnostics::new();
        diags.push(
            Diagnostic::error(
                Code::UNRESOLVED_TYPE,
                Span::new(file, 14, 17),
                "unknown type `Foo`",
            )
            .with_label("not declared")
            .with_help("declare `Foo`\nor fix the name"),
        );
        (diags, sources)
    }

    #[test]
    fn json_has_one_based_positions() {
        let (diags, sources) = sample();
        let report = JsonReport::new(&diags, &sources);
        let d = &report.diagnostics[0];
        assert_eq!((d.line, d.column, d.end_line, d.end_column), (2, 5, 2, 8));
        assert_eq!((report.errors, report.warnings), (1, 0));
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let (diags, sources) = sample();
        let out = render_github(&diags, &sources);
        assert!(out.starts_with("::error file=a%2Cb.zmodel,line=2,col=5,endLine=2,endColumn=8,"));
        assert!(out.contains("%0A%0Ahelp: declare `Foo`%0Aor fix the name"));
    }

    #[test]
    fn human_output_shows_code_location_and_help() {
        let (diags, sources) = sample();
        let out = render_human(&diags, &sources, false);
        assert!(out.contains("Z0101"), "{out}");
        assert!(out.contains("a,b.zmodel:2:5"), "{out}");
        assert!(out.contains("not declared"), "{out}");
        assert!(out.contains("declare `Foo`"), "{out}");
    }
}
