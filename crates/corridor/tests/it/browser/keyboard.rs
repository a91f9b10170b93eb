//! The keyboard alone: Tab pressed through WebDriver's actions (real key events, as a person's),
//! and what had focus after each press, named as assistive technology names it.

use fantoccini::Client;
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::elements::ElementRef;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;

/// The element that had focus after one press of Tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focused {
    /// Its tag name, lower case (`a`, `button`, `input`).
    pub tag: String,
    /// Its `id` attribute, empty if none.
    pub id: String,
    /// Its `name` attribute, empty if none.
    pub name: String,
    /// Its accessible name, as Chromium's accessibility tree computes it (WebDriver's Get
    /// Computed Label): what a screen reader says.
    pub label: String,
    /// Its ARIA role, as Chromium computes it (WebDriver's Get Computed Role).
    pub role: String,
}

impl Focused {
    /// Whether focus had left the page's content (the document itself had it).
    pub fn is_body(&self) -> bool {
        self.tag == "body" || self.tag == "html"
    }
}

/// Presses Tab `presses` times and returns what had focus after each press.
pub async fn tab_order(client: &Client, presses: usize) -> Vec<Focused> {
    let mut order = Vec::with_capacity(presses);
    for _ in 0..presses {
        let tab = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down {
                value: Key::Tab.into(),
            })
            .then(KeyAction::Up {
                value: Key::Tab.into(),
            });
        client
            .perform_actions(tab)
            .await
            .expect("the browser presses Tab");
        order.push(focused(client).await);
    }
    client
        .release_actions()
        .await
        .expect("the browser releases the keys");
    order
}

/// What has focus now.
async fn focused(client: &Client) -> Focused {
    let element = client
        .active_element()
        .await
        .expect("the document has an active element");
    let attribute = |name: &'static str| {
        let element = element.clone();
        async move {
            element
                .attr(name)
                .await
                .expect("the focused element's attributes")
                .unwrap_or_default()
        }
    };
    let computed = |what: Computed| {
        let client = client.clone();
        async move {
            let answer = client
                .issue_cmd(what)
                .await
                .expect("chromedriver computes accessibility properties");
            answer.as_str().unwrap_or_default().to_owned()
        }
    };
    Focused {
        tag: element
            .tag_name()
            .await
            .expect("the focused element's tag")
            .to_lowercase(),
        id: attribute("id").await,
        name: attribute("name").await,
        label: computed(Computed::Label(element.element_id())).await,
        role: computed(Computed::Role(element.element_id())).await,
    }
}

/// WebDriver's Get Computed Label and Get Computed Role, which fantoccini does not wrap.
#[derive(Debug)]
enum Computed {
    Label(ElementRef),
    Role(ElementRef),
}

impl WebDriverCompatibleCommand for Computed {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let (element, property) = match self {
            Self::Label(element) => (element, "computedlabel"),
            Self::Role(element) => (element, "computedrole"),
        };
        base_url.join(&format!(
            "session/{}/element/{element}/{property}",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}
