//! Serde types for the shapes ActivityStreams allows in one property: an object given by id or
//! embedded, one value or many. Lenient the way peers need it (what is not an id is skipped,
//! never a reason to refuse the whole document), and bounded.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Most entries read from one list (`to`, `cc`...).
pub const MAX_LIST: usize = 10_000;

/// The id of an object given by reference (`"https://…"`) or embedded (`{"id": "https://…", …}`),
/// as `object_id` reads it. Anything else is an error: a required reference is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref(pub String);

impl Ref {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(MaybeIdVisitor)? {
            Some(id) => Ok(Ref(id)),
            None => Err(de::Error::custom("expected an id or an object with an id")),
        }
    }
}

/// An id as [`Ref`] reads it, or `None` for any other value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaybeRef(pub Option<String>);

impl<'de> Deserialize<'de> for MaybeRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeIdVisitor).map(MaybeRef)
    }
}

/// A string, or `None` for any other value (the `id` inside an embedded object).
struct MaybeStr(Option<String>);

impl<'de> Deserialize<'de> for MaybeStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor).map(MaybeStr)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

struct MaybeIdVisitor;

impl<'de> Visitor<'de> for MaybeIdVisitor {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id or an object with an id")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        while let Some(key) = map.next_key::<MaybeStr>()? {
            if id.is_none() && key.0.as_deref() == Some("id") {
                id = map.next_value::<MaybeStr>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(id)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// One id or many (`to`, `cc`, `bto`, `bcc`, `audience`), as `string_list` reads them: a
/// string, or an array whose strings and embedded objects' ids are kept (at most
/// [`MAX_LIST`]); any other value is an empty list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(pub Vec<String>);

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdsVisitor).map(Ids)
    }
}

struct IdsVisitor;

impl<'de> Visitor<'de> for IdsVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id or a list of ids")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(vec![v])
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut ids = Vec::new();
        while let Some(item) = seq.next_element::<MaybeRef>()? {
            if let (Some(id), true) = (item.0, ids.len() < MAX_LIST) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

/// An object or activity given by id or embedded, with what we read of an embedded activity
/// (the object of an `Undo`, an `Accept`, an `Announce`): as `object_id`, `kind`,
/// `embedded_actor` and the `object_id` of its `object` read them. A bare id has only `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embedded {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub actor: Option<String>,
    pub object: Option<String>,
}

impl Embedded {
    /// The `type` of the embedded object, `""` when given by id.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

impl<'de> Deserialize<'de> for Embedded {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EmbeddedVisitor)
    }
}

struct EmbeddedVisitor;

impl<'de> Visitor<'de> for EmbeddedVisitor {
    type Value = Embedded;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id or an embedded object")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Embedded { id: Some(v.to_string()), ..Embedded::default() })
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Embedded { id: Some(v), ..Embedded::default() })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut e = Embedded::default();
        while let Some(key) = map.next_key::<MaybeStr>()? {
            match key.0.as_deref() {
                Some("id") if e.id.is_none() => e.id = map.next_value::<MaybeStr>()?.0,
                Some("type") if e.kind.is_none() => e.kind = map.next_value::<MaybeStr>()?.0,
                Some("actor") if e.actor.is_none() => e.actor = map.next_value::<MaybeRef>()?.0,
                Some("object") if e.object.is_none() => e.object = map.next_value::<MaybeRef>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(e)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Embedded::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Embedded::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_inline_or_by_reference() {
        let r: Ref = serde_json::from_value(json!("https://a.example/1")).unwrap();
        assert_eq!(r.as_str(), "https://a.example/1");
        let r: Ref = serde_json::from_value(json!({"type": "Note", "id": "https://a.example/2", "x": [1]})).unwrap();
        assert_eq!(r.as_str(), "https://a.example/2");
        assert!(serde_json::from_value::<Ref>(json!({"id": 3})).is_err());
        assert!(serde_json::from_value::<Ref>(json!(3)).is_err());
        assert_eq!(serde_json::from_value::<MaybeRef>(json!([1])).unwrap(), MaybeRef(None));
    }

    #[test]
    fn embedded_activities_read_as_the_value_helpers_do() {
        for v in [
            json!("https://a.example/f/1"),
            json!({"id": "https://a.example/f/1", "type": "Follow", "actor": {"id": "https://a.example/u/a"}, "object": "https://b.example/u/b"}),
            json!({"type": "Create", "object": {"id": "https://a.example/n/1", "type": "Note"}}),
            json!({"id": 3, "type": ["Like"], "actor": 4}),
            json!(null),
        ] {
            let e: Embedded = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(e.id.as_deref(), crate::wire::object_id(&v), "{v}");
            assert_eq!(e.kind(), crate::wire::kind(&v), "{v}");
            assert_eq!(e.actor.as_deref(), crate::wire::embedded_actor(&v), "{v}");
            assert_eq!(e.object.as_deref(), v.get("object").and_then(crate::wire::object_id), "{v}");
        }
    }

    #[test]
    fn id_lists_read_as_string_list_does() {
        for v in [
            json!("a"),
            json!(["a", {"id": "b"}, 3, {"id": 4}, null, ["c"]]),
            json!(null),
            json!({"id": "x"}),
            json!(7),
        ] {
            let typed: Ids = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(typed.0, crate::wire::string_list(Some(&v)), "{v}");
        }
    }
}
