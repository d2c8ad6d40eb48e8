//! Storing remote notes: one (a note fetched for a boost or a search), or a batch in one
//! transaction (the inbox worker's `Create`s). A batch reads one query per kind for all its
//! notes (accounts, tombstones, known statuses) and writes its rows with multi-row inserts, so
//! it costs a fixed number of statements whatever its size.

use coopol_db::WriteTxn;
use std::collections::{HashMap, HashSet};

use coopol_db::entities::{accounts, mentions, status_tags, statuses, tombstones};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::Value;

use crate::notes::{parse_note, ParsedNote};
use crate::{Federation, FederationError};

/// Most values in one `IN (...)` list, and most rows in one insert (statuses have 17 columns:
/// 8,500 bound parameters, well within SQLite's and PostgreSQL's bounds).
const CHUNK: usize = 500;

/// A remote note, read and checked against its author, not stored yet.
pub struct Incoming {
    /// The note as received (attachments, polls and addressing are read from it).
    pub note: Value,
    pub author: accounts::Model,
    parsed: ParsedNote,
}

impl Incoming {
    /// Reads a note by `author`: refused when it is not theirs or not a kind of note we keep.
    pub fn read(note: Value, author: accounts::Model) -> Result<Self, FederationError> {
        let parsed = parse_note(&note, &author)?;
        Ok(Incoming { note, author, parsed })
    }

    /// The note's id.
    pub fn uri(&self) -> &str {
        &self.parsed.id
    }

    /// The id of the post it answers.
    pub fn in_reply_to(&self) -> Option<&str> {
        self.parsed.in_reply_to.as_deref()
    }

    /// The accounts it mentions (including those addressed without a Mention tag).
    pub fn mention_uris(&self) -> &[String] {
        &self.parsed.mention_uris
    }
}

/// What the database holds about a batch of notes, read before they are stored.
#[derive(Default)]
pub struct Known {
    /// Accounts by URI: those the notes mention, and any other asked for.
    pub accounts: HashMap<String, accounts::Model>,
    /// Statuses by URI: the notes themselves when stored before, and the posts they answer.
    pub statuses: HashMap<String, statuses::Model>,
    /// Note ids deleted here: never stored again.
    pub tombstoned: HashSet<String>,
}

impl Known {
    /// Three queries (or fewer) for the whole batch; `more_accounts` are other account URIs the
    /// caller needs (the local accounts a note addresses).
    pub async fn load(
        db: &impl ConnectionTrait,
        items: &[Incoming],
        more_accounts: impl IntoIterator<Item = String>,
    ) -> Result<Self, FederationError> {
        let mut account_uris: Vec<String> =
            items.iter().flat_map(|i| i.parsed.mention_uris.iter().cloned()).chain(more_accounts).collect();
        account_uris.sort_unstable();
        account_uris.dedup();
        let mut status_uris: Vec<String> =
            items.iter().flat_map(|i| std::iter::once(i.uri()).chain(i.in_reply_to())).map(String::from).collect();
        status_uris.sort_unstable();
        status_uris.dedup();
        let mut known = Known::default();
        for chunk in account_uris.chunks(CHUNK) {
            let found = accounts::Entity::find().filter(accounts::Column::Uri.is_in(chunk.to_vec())).all(db).await?;
            known.accounts.extend(found.into_iter().map(|a| (a.uri.clone(), a)));
        }
        for chunk in status_uris.chunks(CHUNK) {
            let found = statuses::Entity::find().filter(statuses::Column::Uri.is_in(chunk.to_vec())).all(db).await?;
            known.statuses.extend(found.into_iter().map(|s| (s.uri.clone(), s)));
            let gone: Vec<String> = tombstones::Entity::find()
                .select_only()
                .column(tombstones::Column::Uri)
                .filter(tombstones::Column::Uri.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            known.tombstoned.extend(gone);
        }
        Ok(known)
    }

    /// Whether a note is neither stored already nor deleted here.
    pub fn is_new(&self, item: &Incoming) -> bool {
        !self.tombstoned.contains(item.uri()) && !self.statuses.contains_key(item.uri())
    }
}

/// Stores the notes `items[i]` for each `i` of `keep`, in the caller's transaction: their
/// statuses, mentions of accounts we know (a note cannot make us fetch 100 actors), tags,
/// attachments and polls. A note whose id is stored meanwhile, or twice in the batch, is
/// skipped. Returns the stored statuses with the index of their note.
pub async fn insert(
    txn: &impl ConnectionTrait,
    items: &[Incoming],
    keep: &[usize],
    known: &Known,
) -> Result<Vec<(usize, statuses::Model)>, FederationError> {
    // Ids follow the order of the batch, which is each actor's order of arrival (`new_id` is
    // only ordered across milliseconds).
    let mut ids: Vec<i64> = keep.iter().map(|_| coopol_core::new_id()).collect();
    ids.sort_unstable();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for (&i, id) in keep.iter().zip(ids) {
        let Some(item) = items.get(i) else { continue };
        if !seen.insert(item.uri()) {
            continue;
        }
        let p = &item.parsed;
        let parent = p.in_reply_to.as_deref().and_then(|u| known.statuses.get(u));
        index_of.insert(p.id.clone(), i);
        rows.push(statuses::ActiveModel {
            id: Set(id),
            uri: Set(p.id.clone()),
            url: Set(p.url.clone()),
            account_id: Set(item.author.id),
            in_reply_to_id: Set(parent.map(|s| s.id)),
            in_reply_to_uri: Set(p.in_reply_to.clone()),
            in_reply_to_account_id: Set(parent.map(|s| s.account_id)),
            reblog_of_id: Set(None),
            content: Set(p.content.clone()),
            source_text: Set(None),
            spoiler_text: Set(p.summary.clone()),
            sensitive: Set(p.sensitive),
            visibility: Set(p.visibility.as_str().to_string()),
            language: Set(p.language.clone()),
            local: Set(false),
            created_at: Set(p.published),
            edited_at: Set(None),
        });
    }
    let mut stored = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        match statuses::Entity::insert_many(chunk)
            .on_conflict(OnConflict::column(statuses::Column::Uri).do_nothing().to_owned())
            .exec_with_returning_many(txn)
            .await
        {
            Ok(new) => stored.extend(new),
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut out: Vec<(usize, statuses::Model)> =
        stored.into_iter().filter_map(|s| index_of.get(&s.uri).map(|&i| (i, s))).collect();
    out.sort_by_key(|(_, s)| s.id);
    let mut mention_rows = Vec::new();
    let mut tag_rows = Vec::new();
    for (i, s) in &out {
        let Some(item) = items.get(*i) else { continue };
        let mut mentioned = Vec::new();
        for a in item.parsed.mention_uris.iter().filter_map(|u| known.accounts.get(u)) {
            if !mentioned.contains(&a.id) {
                mentioned.push(a.id);
                mention_rows.push(mentions::ActiveModel {
                    id: Set(coopol_core::new_id()),
                    status_id: Set(s.id),
                    account_id: Set(a.id),
                });
            }
        }
        let mut names = HashSet::new();
        for t in item.parsed.tags.iter().filter(|t| names.insert(t.as_str())) {
            tag_rows.push(status_tags::ActiveModel {
                id: Set(coopol_core::new_id()),
                status_id: Set(s.id),
                name: Set(t.clone()),
            });
        }
    }
    for chunk in mention_rows.chunks(CHUNK) {
        mentions::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for chunk in tag_rows.chunks(CHUNK) {
        status_tags::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for (i, s) in &out {
        if let Some(item) = items.get(*i) {
            crate::polls::store_remote_extras(txn, &item.note, s.id, item.author.id).await?;
        }
    }
    Ok(out)
}

/// Stores a remote note by `author`. Idempotent: a known id is left as is; a tombstoned id is
/// never recreated (returns `Ok(None)` in both cases).
pub async fn store_remote_note(
    fed: &Federation,
    note: &Value,
    author: &accounts::Model,
) -> Result<Option<statuses::Model>, FederationError> {
    let item = Incoming::read(note.clone(), author.clone())?;
    let items = [item];
    // Read before the transaction: on SQLite a transaction must write first.
    let known = Known::load(&fed.db, &items, []).await?;
    if !items.iter().all(|i| known.is_new(i)) {
        return Ok(None);
    }
    let txn = fed.db.begin_write().await?;
    let stored = insert(&txn, &items, &[0], &known).await?;
    txn.commit().await?;
    Ok(stored.into_iter().next().map(|(_, s)| s))
}
