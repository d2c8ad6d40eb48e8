//! The part of RFC 8941 (Structured Field Values) that RFC 9421 and RFC 9530
//! need: parsing dictionaries, and serialising an inner list for
//! `@signature-params`. Byte-oriented, bounded by the input, never panics.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Standard alphabet, padding optional: RFC 8941 §4.2.7 asks parsers not to
/// insist on `=`, and some signers drop it elsewhere too.
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BareItem {
    Integer(i64),
    /// Stored in thousandths, the precision RFC 8941 allows.
    Decimal(i64),
    String(String),
    Token(String),
    ByteSeq(Vec<u8>),
    Boolean(bool),
}

pub(crate) type Params = Vec<(String, BareItem)>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub bare: BareItem,
    pub params: Params,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Member {
    Item(Item),
    InnerList(Vec<Item>, Params),
}

/// Keys in the order they first appeared (a repeated key overwrites the value).
pub(crate) type Dictionary = Vec<(String, Member)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SfError;

type Result<T> = std::result::Result<T, SfError>;

pub(crate) fn parse_dictionary(input: &str) -> Result<Dictionary> {
    let mut p = Parser { input: input.trim_matches(' ').as_bytes(), pos: 0 };
    let mut dict = Dictionary::new();
    while !p.at_end() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.item_or_inner_list()?
        } else {
            Member::Item(Item { bare: BareItem::Boolean(true), params: p.params()? })
        };
        insert(&mut dict, key, member);
        p.skip_ows();
        if p.at_end() {
            break;
        }
        if !p.eat(b',') {
            return Err(SfError);
        }
        p.skip_ows();
        if p.at_end() {
            return Err(SfError); // trailing comma
        }
    }
    Ok(dict)
}

fn insert<V>(entries: &mut Vec<(String, V)>, key: String, value: V) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while self.eat(b' ') || self.eat(b'\t') {}
    }

    fn item_or_inner_list(&mut self) -> Result<Member> {
        if !self.eat(b'(') {
            return Ok(Member::Item(self.item()?));
        }
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(Member::InnerList(items, self.params()?));
            }
            items.push(self.item()?);
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return Err(SfError);
            }
        }
    }

    fn item(&mut self) -> Result<Item> {
        let bare = self.bare_item()?;
        Ok(Item { bare, params: self.params()? })
    }

    fn params(&mut self) -> Result<Params> {
        let mut params = Params::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            let value = if self.eat(b'=') { self.bare_item()? } else { BareItem::Boolean(true) };
            insert(&mut params, key, value);
        }
        Ok(params)
    }

    fn key(&mut self) -> Result<String> {
        let start = self.pos;
        match self.next() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => {}
            _ => return Err(SfError),
        }
        while let Some(c) = self.peek() {
            if !(c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c)) {
                break;
            }
            self.pos += 1;
        }
        self.text_since(start)
    }

    fn text_since(&self, start: usize) -> Result<String> {
        let bytes = self.input.get(start..self.pos).ok_or(SfError)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| SfError)
    }

    fn bare_item(&mut self) -> Result<BareItem> {
        match self.peek().ok_or(SfError)? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string(),
            b':' => self.byte_seq(),
            b'?' => self.boolean(),
            c if c.is_ascii_alphabetic() || c == b'*' => self.token(),
            _ => Err(SfError),
        }
    }

    fn number(&mut self) -> Result<BareItem> {
        let negative = self.eat(b'-');
        let (mut int, mut int_digits) = (0i64, 0usize);
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.pos += 1;
            int_digits += 1;
            if int_digits > 15 {
                return Err(SfError);
            }
            int = int * 10 + i64::from(d - b'0');
        }
        if int_digits == 0 {
            return Err(SfError);
        }
        let sign = if negative { -1 } else { 1 };
        if !self.eat(b'.') {
            return Ok(BareItem::Integer(sign * int));
        }
        if int_digits > 12 {
            return Err(SfError);
        }
        let (mut frac, mut frac_digits) = (0i64, 0u32);
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.pos += 1;
            frac_digits += 1;
            if frac_digits > 3 {
                return Err(SfError);
            }
            frac = frac * 10 + i64::from(d - b'0');
        }
        if frac_digits == 0 {
            return Err(SfError);
        }
        let thousandths = int * 1000 + frac * 10i64.pow(3 - frac_digits);
        Ok(BareItem::Decimal(sign * thousandths))
    }

    fn string(&mut self) -> Result<BareItem> {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            match self.next().ok_or(SfError)? {
                b'"' => return Ok(BareItem::String(out)),
                b'\\' => match self.next() {
                    Some(c @ (b'"' | b'\\')) => out.push(char::from(c)),
                    _ => return Err(SfError),
                },
                c @ 0x20..=0x7e => out.push(char::from(c)),
                _ => return Err(SfError),
            }
        }
    }

    fn token(&mut self) -> Result<BareItem> {
        let start = self.pos;
        self.pos += 1; // first character checked by the caller
        while let Some(c) = self.peek() {
            if !(is_tchar(c) || c == b':' || c == b'/') {
                break;
            }
            self.pos += 1;
        }
        Ok(BareItem::Token(self.text_since(start)?))
    }

    fn byte_seq(&mut self) -> Result<BareItem> {
        self.eat(b':');
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == b':' {
                break;
            }
            if !(c.is_ascii_alphanumeric() || b"+/=".contains(&c)) {
                return Err(SfError);
            }
            self.pos += 1;
        }
        let encoded = self.input.get(start..self.pos).ok_or(SfError)?;
        if !self.eat(b':') {
            return Err(SfError);
        }
        LENIENT_BASE64.decode(encoded).map(BareItem::ByteSeq).map_err(|_| SfError)
    }

    fn boolean(&mut self) -> Result<BareItem> {
        self.eat(b'?');
        match self.next() {
            Some(b'1') => Ok(BareItem::Boolean(true)),
            Some(b'0') => Ok(BareItem::Boolean(false)),
            _ => Err(SfError),
        }
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Canonical serialisation of an inner list with its parameters (RFC 8941 §4.1.1.1).
pub(crate) fn serialize_inner_list(items: &[Item], params: &Params) -> String {
    let mut out = String::from("(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_item(&mut out, item);
    }
    out.push(')');
    write_params(&mut out, params);
    out
}

pub(crate) fn serialize_item(item: &Item) -> String {
    let mut out = String::new();
    write_item(&mut out, item);
    out
}

fn write_item(out: &mut String, item: &Item) {
    write_bare_item(out, &item.bare);
    write_params(out, &item.params);
}

/// An sf-string: quoted, with `"` and `\` escaped.
pub(crate) fn serialize_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn write_params(out: &mut String, params: &Params) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != BareItem::Boolean(true) {
            out.push('=');
            write_bare_item(out, value);
        }
    }
}

fn write_bare_item(out: &mut String, item: &BareItem) {
    match item {
        BareItem::Integer(n) => out.push_str(&n.to_string()),
        BareItem::Decimal(thousandths) => {
            if *thousandths < 0 {
                out.push('-');
            }
            let abs = thousandths.unsigned_abs();
            let frac = format!("{:03}", abs % 1000);
            let frac = frac.trim_end_matches('0');
            let frac = if frac.is_empty() { "0" } else { frac };
            out.push_str(&format!("{}.{frac}", abs / 1000));
        }
        BareItem::String(s) => serialize_string(out, s),
        BareItem::Token(t) => out.push_str(t),
        BareItem::ByteSeq(bytes) => {
            out.push(':');
            out.push_str(&STANDARD.encode(bytes));
            out.push(':');
        }
        BareItem::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(dict: &Dictionary, key: &str) -> String {
        match &dict.iter().find(|(k, _)| k == key).unwrap().1 {
            Member::InnerList(items, params) => serialize_inner_list(items, params),
            Member::Item(_) => panic!("not an inner list"),
        }
    }

    #[test]
    fn parses_rfc9421_signature_input() {
        let input = r#"sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="test-key-rsa";alg="rsa-v1_5-sha256""#;
        let dict = parse_dictionary(input).unwrap();
        assert_eq!(dict.len(), 1);
        assert_eq!(inner(&dict, "sig1"), input.trim_start_matches("sig1="));
    }

    #[test]
    fn reserialises_canonically() {
        let dict = parse_dictionary(r#"a=(  "x"   "y";k=?0 );n=-1.50;t=tok/x:y;b=:AQI:;f;s="q\"\\" , b=?1"#).unwrap();
        assert_eq!(inner(&dict, "a"), r#"("x" "y";k=?0);n=-1.5;t=tok/x:y;b=:AQI=:;f;s="q\"\\""#);
        assert_eq!(dict.len(), 2);
    }

    #[test]
    fn repeated_key_overwrites_in_place() {
        let dict = parse_dictionary("a=1, b=2, a=3").unwrap();
        let keys: Vec<_> = dict.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(dict[0].1, Member::Item(Item { bare: BareItem::Integer(3), params: vec![] }));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "A=1",
            "a=",
            "a=1,",
            "a=1 b=2",
            "a=(\"x\"",
            "a=(\"x\"\"y\")",
            "a=\"unterminated",
            "a=\"bad\\escape\"",
            "a=:not base64:",
            "a=:AQI",
            "a=?2",
            "a=1234567890123456",
            "a=1.2345",
            "a=1.",
            "a=-",
            "a=@",
            "a=\"\u{e9}\"",
            "a=1;",
        ] {
            assert_eq!(parse_dictionary(bad), Err(SfError), "{bad:?}");
        }
    }
}
