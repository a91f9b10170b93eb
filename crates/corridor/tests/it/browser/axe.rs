//! axe-core in the browser: the vendored copy (tests/fixtures/axe, its README says which version
//! and how it was fetched) runs in the page the browser shows, and its answer comes back parsed.

use fantoccini::Client;
use serde::Deserialize;

/// axe-core's source, as published on the npm registry.
const AXE_SOURCE: &str = include_str!("../../fixtures/axe/axe.min.js");

/// The version of the vendored axe-core (its README and the file's banner say the same).
pub const AXE_VERSION: &str = "4.14.1";

/// Runs axe in the page and hands back a summary small enough to cross WebDriver: every
/// violation with its nodes, and the ids of the rules that passed or could not decide.
const RUN_AXE: &str = r"
const done = arguments[arguments.length - 1];
window.axe
  .run(document, { resultTypes: ['violations'] })
  .then((result) => done({
    engine: result.testEngine.version,
    passes: result.passes.map((rule) => rule.id),
    incomplete: result.incomplete.map((rule) => rule.id),
    violations: result.violations.map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      nodes: rule.nodes.map((node) => ({
        target: node.target.map((part) => String(part)),
        html: node.html,
        summary: node.failureSummary || '',
      })),
    })),
  }))
  .catch((error) => done({ error: String(error) }));
";

/// What axe found in one page.
#[derive(Debug, Clone, Deserialize)]
pub struct AxeReport {
    /// The axe-core version that ran.
    pub engine: String,
    /// The rules the page broke.
    pub violations: Vec<Violation>,
    /// The ids of the rules the page passed.
    pub passes: Vec<String>,
    /// The ids of the rules axe could not decide alone (to be checked by a person).
    pub incomplete: Vec<String>,
}

/// One broken rule.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    /// The rule's id (`image-alt`).
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule asks for, in a sentence.
    pub help: String,
    /// Where the rule is explained.
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// The elements that break it.
    pub nodes: Vec<AxeNode>,
}

/// One element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
pub struct AxeNode {
    /// CSS selectors that find it.
    pub target: Vec<String>,
    /// Its HTML (axe shortens it).
    pub html: String,
    /// What to fix.
    pub summary: String,
}

impl Violation {
    /// Whether the issue's bar (zero serious or critical violations) counts it.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl AxeReport {
    /// The serious and critical violations.
    pub fn serious(&self) -> Vec<&Violation> {
        self.violations
            .iter()
            .filter(|violation| violation.is_serious())
            .collect()
    }

    /// Fails listing every serious or critical violation on `page`, with the elements at fault.
    #[track_caller]
    pub fn assert_no_serious(&self, page: &str) {
        if let Some(failure) = self.serious_failure(page) {
            panic!("{failure}");
        }
    }

    /// What [`AxeReport::assert_no_serious`] fails with: every serious or critical violation on
    /// `page` with the elements at fault, or `None` when there is none.
    pub fn serious_failure(&self, page: &str) -> Option<String> {
        let serious = self.serious();
        if serious.is_empty() {
            return None;
        }
        let mut text = format!(
            "axe {} found {} serious or critical violation(s) on {page}:",
            self.engine,
            serious.len()
        );
        for violation in serious {
            text.push_str(&format!(
                "\n- {} ({}): {} <{}>",
                violation.id,
                violation.impact.as_deref().unwrap_or("no impact"),
                violation.help,
                violation.help_url
            ));
            for node in &violation.nodes {
                text.push_str(&format!(
                    "\n    at {}: {}\n      {}",
                    node.target.join(" "),
                    node.html,
                    node.summary.replace('\n', "\n      ")
                ));
            }
        }
        Some(text)
    }
}

/// Runs the vendored axe-core in the page the browser shows and returns its report.
pub async fn axe(client: &Client) -> AxeReport {
    client
        .execute(AXE_SOURCE, Vec::new())
        .await
        .expect("axe-core loads in the page");
    let answer = client
        .execute_async(RUN_AXE, Vec::new())
        .await
        .expect("axe runs in the page");
    if let Some(error) = answer.get("error") {
        panic!("axe failed in the page: {error}");
    }
    serde_json::from_value(answer.clone())
        .unwrap_or_else(|error| panic!("axe's report does not parse ({error}): {answer}"))
}
