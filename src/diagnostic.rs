//! Diagnostics: every error a user can cause is one of these.
//!
//! A diagnostic has a stable code (`dtl::E0xx`, see [`codes`]), a message, an
//! optional span into a named source, a label for that span and a help line. It
//! renders through `miette`. The library returns diagnostics; it never prints.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::syntax::Span;

/// The stable diagnostic codes. A code is never reused for another meaning.
pub mod codes {
    /// Malformed `.dtl` text.
    pub const DTL_SYNTAX: &str = "dtl::E001";
    /// Malformed JSON (a program or configuration file).
    pub const JSON_SYNTAX: &str = "dtl::E002";
    /// A number literal that cannot be read.
    pub const BAD_NUMBER: &str = "dtl::E003";
    /// A call to a function that does not exist.
    pub const UNKNOWN_FUNCTION: &str = "dtl::E010";
    /// Too few or too many arguments.
    pub const ARITY: &str = "dtl::E011";
    /// A transform used where an expression belongs.
    pub const TRANSFORM_AS_EXPRESSION: &str = "dtl::E012";
    /// An expression (or anything else) used where a transform belongs.
    pub const EXPRESSION_AS_TRANSFORM: &str = "dtl::E013";
    /// A malformed property path string.
    pub const BAD_PATH: &str = "dtl::E014";
    /// A constant argument of the wrong kind.
    pub const ARGUMENT_KIND: &str = "dtl::E015";
    /// `apply` of a rule that is not defined.
    pub const UNKNOWN_RULE: &str = "dtl::E016";
    /// The rules have no `default` rule.
    pub const NO_DEFAULT_RULE: &str = "dtl::E017";
    /// The program file does not hold rules, a DTL transform or a pipe.
    pub const PROGRAM_SHAPE: &str = "dtl::E018";
    /// A malformed hops specification.
    pub const HOPS_SPEC: &str = "dtl::E019";
    /// An input record that is not JSON.
    pub const INPUT_JSON: &str = "dtl::E030";
    /// An input record that is not an entity (a JSON object).
    pub const INPUT_NOT_ENTITY: &str = "dtl::E031";
    /// An emitted entity without a string `_id` while `id_required` is on.
    pub const ID_REQUIRED: &str = "dtl::E032";
    /// `fail!` was evaluated.
    pub const FAIL: &str = "dtl::E040";
    /// `trip!` was evaluated.
    pub const TRIP: &str = "dtl::E041";
    /// A run-time error in an expression.
    pub const RUNTIME: &str = "dtl::E042";
    /// A dataset named by a hop or lookup that was not provided.
    pub const MISSING_DATASET: &str = "dtl::E043";
    /// Reading or writing a file failed.
    pub const IO: &str = "dtl::E050";
    /// A bad command-line value (a file the CLI was asked to read, an expression to eval).
    pub const USAGE: &str = "dtl::E051";
    /// A bad value or shape in a node configuration (a pipe, system, metadata or test file).
    pub const CONFIG: &str = "dtl::E060";
    /// An unknown key in a pipe configuration.
    pub const UNKNOWN_CONFIG_KEY: &str = "dtl::E061";
    /// `$ENV(name)` with no value for `name`.
    pub const ENV_MISSING: &str = "dtl::E062";
    /// A pipe reads (or hops into) a dataset that no pipe produces.
    pub const UNKNOWN_INPUT_DATASET: &str = "dtl::E063";
    /// A source, transform or sink type that needs an outside system.
    pub const NEEDS_SYSTEM: &str = "dtl::E064";
    /// An unknown source, transform or sink type.
    pub const UNKNOWN_COMPONENT_TYPE: &str = "dtl::E065";
    /// A feedback cycle of pipes did not settle within the round limit.
    pub const NOT_SETTLED: &str = "dtl::E066";
    /// A dataset sink's circuit breaker tripped.
    pub const CIRCUIT_BREAKER: &str = "dtl::E067";
    /// A pipe run failed (`if_source_empty: fail`, a failing transform, ...).
    pub const PIPE_FAILED: &str = "dtl::E068";
    /// `dtl node test`: a pipe's output differs from its expected output.
    pub const TEST_FAILED: &str = "dtl::E069";
    /// Two pipes with the same id, or two pipes writing the same dataset.
    pub const DUPLICATE_PIPE: &str = "dtl::E070";
    /// `dtl dataset show` of a dataset the node does not have.
    pub const NO_SUCH_DATASET: &str = "dtl::E071";
}

/// A source text that diagnostics point into.
pub type Source = Arc<NamedSource<String>>;

/// Makes a shareable named source.
pub fn source(name: impl AsRef<str>, text: impl Into<String>) -> Source {
    Arc::new(NamedSource::new(name, text.into()))
}

/// One error, with everything needed to show it well.
#[derive(Clone)]
pub struct Diagnostic {
    /// The stable code, one of [`codes`].
    pub code: &'static str,
    /// The headline.
    pub message: String,
    /// Where, in [`Diagnostic::source`].
    pub span: Option<Span>,
    /// What to say at the span.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The text the span points into.
    pub source: Option<Source>,
}

impl Diagnostic {
    /// A diagnostic with a code and message and nothing else yet.
    pub fn new(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, message: message.into(), span: None, label: None, help: None, source: None }
    }

    /// Points at `span`, saying `label` there.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source the span points into (kept if one is already attached).
    pub fn in_source(mut self, source: &Source) -> Diagnostic {
        if self.source.is_none() {
            self.source = Some(source.clone());
        }
        self
    }
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)?;
        if let Some(span) = self.span {
            write!(f, " at {}..{}", span.start, span.end)?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        self.source.as_ref()?;
        let label = LabeledSpan::new_with_span(self.label.clone(), span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// Several diagnostics at once (a program with several errors reports all of them).
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Attaches a source to every diagnostic that has none.
    pub fn in_source(self, source: &Source) -> Diagnostics {
        Diagnostics(self.0.into_iter().map(|d| d.in_source(source)).collect())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}", d.code, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
