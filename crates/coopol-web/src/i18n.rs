//! French and English through Fluent. Every string a person reads comes from `locales/*/web.ftl`;
//! templates and handlers name messages by key. The bundles are parsed once, when the router is
//! built, and hang off the web state (no global state).

use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// The languages of the interface, French first: the party's members read French.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 tag (`lang` attribute, stored setting).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// A stored or submitted code (`fr`, `en-GB`...), if it names one of ours.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a browser prefers among ours, from `Accept-Language` (RFC 9110 §12.5.4):
    /// the highest weight wins, ties go to the earlier entry; French when nothing matches.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for entry in accept_language.unwrap_or("").split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_code) else { continue };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// The translations of both languages.
#[derive(Clone)]
pub struct Translations(Arc<[FluentBundle<FluentResource>; 2]>);

/// Why the translations could not be loaded (a broken `.ftl` file: caught by the tests).
#[derive(Debug, thiserror::Error)]
#[error("translations of {lang}: {message}")]
pub struct TranslationError {
    lang: &'static str,
    message: String,
}

const SOURCES: [(Lang, &str); 2] =
    [(Lang::Fr, include_str!("../locales/fr/web.ftl")), (Lang::En, include_str!("../locales/en/web.ftl"))];

impl Translations {
    pub fn load() -> Result<Self, TranslationError> {
        let [fr, en] = SOURCES.map(|(lang, source)| bundle(lang, source));
        Ok(Translations(Arc::new([fr?, en?])))
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        let [fr, en] = &*self.0;
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The message `key` in `lang` with its arguments; the key itself when it is missing (the
    /// tests check that every key used exists in both languages).
    pub fn get(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, *value);
        }
        self.format(lang, key, (!args.is_empty()).then_some(&fargs))
    }

    /// The message `key` with a number `count` (plurals are chosen by it).
    pub fn count(&self, lang: Lang, key: &str, count: u64) -> String {
        let mut fargs = FluentArgs::new();
        fargs.set("count", count);
        self.format(lang, key, Some(&fargs))
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing translation");
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, lang = lang.code(), ?errors, "translation with errors");
        }
        text.into_owned()
    }

    /// The keys of a language's messages (for the tests that compare languages).
    #[cfg(test)]
    fn keys(lang: Lang) -> Vec<String> {
        let source = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or("");
        source
            .lines()
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k))
            .filter(|k| !k.is_empty() && !k.starts_with([' ', '#', '-']))
            .map(str::to_string)
            .collect()
    }
}

fn bundle(lang: Lang, source: &str) -> Result<FluentBundle<FluentResource>, TranslationError> {
    let fail = |message: String| TranslationError { lang: lang.code(), message };
    let id: LanguageIdentifier = lang.code().parse().map_err(|e| fail(format!("{e}")))?;
    let resource =
        FluentResource::try_new(source.to_string()).map_err(|(_, errors)| fail(format!("syntax: {errors:?}")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: names and handles are left-to-right here,
    // and the marks would show up in copied text.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|errors| fail(format!("duplicates: {errors:?}")))?;
    Ok(bundle)
}

/// The translations in one language: what templates and handlers use.
#[derive(Clone)]
pub struct Tr {
    translations: Translations,
    pub lang: Lang,
}

impl Tr {
    pub fn new(translations: Translations, lang: Lang) -> Self {
        Tr { translations, lang }
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        self.translations.get(self.lang, key, &[])
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.translations.get(self.lang, key, &[(name, value)])
    }

    /// The message `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&str, &str), b: (&str, &str)) -> String {
        self.translations.get(self.lang, key, &[a, b])
    }

    /// The message `key` for a number `count`.
    pub fn tn(&self, key: &str, count: u64) -> String {
        self.translations.count(self.lang, key, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        assert_eq!(Lang::negotiate(None), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en;q=0.5, fr-CH")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en;q=0, de")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("garbage;;q=x,,")), Lang::Fr);
    }

    #[test]
    fn both_languages_load_and_have_the_same_messages() {
        let t = Translations::load().unwrap();
        let mut fr = Translations::keys(Lang::Fr);
        let mut en = Translations::keys(Lang::En);
        fr.sort();
        en.sort();
        assert!(fr.len() > 20);
        assert_eq!(fr, en, "fr and en must define the same messages");
        assert_eq!(t.get(Lang::Fr, "nav-home", &[]), "Accueil");
        assert_eq!(t.get(Lang::En, "nav-home", &[]), "Home");
    }

    /// Every key a template or handler names exists in both languages.
    #[test]
    fn every_key_used_is_translated() {
        let t = Translations::load().unwrap();
        let sources = crate::tests_support::sources();
        let mut used = 0;
        for (file, text) in sources {
            for key in crate::tests_support::keys_used(&file, &text) {
                used += 1;
                for lang in Lang::ALL {
                    assert_ne!(t.get(lang, &key, &[("name", "x"), ("count", "1")]), key, "{file}: {key} in {lang:?}");
                }
            }
        }
        assert!(used > 20);
    }
}
