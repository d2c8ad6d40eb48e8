//! `coopol admin account|group alias|move|export|import`: moving an actor to another instance.
//! The same code serves accounts (Person) and groups (Group); each command checks the kind.

use std::io::Write;

use coopol_db::entities::accounts;
use coopol_db::{queries, Db};
use coopol_federation::activities::r#move;
use coopol_federation::{actors, webfinger, Federation};

use crate::admin::write_err;
use crate::archive;
use crate::cli::MoveCommand;
use crate::config::Config;
use crate::error::Error;

/// The noun an operator uses for an actor kind.
fn noun(kind: &str) -> &'static str {
    if kind == "Group" {
        "group"
    } else {
        "account"
    }
}

/// A local actor of the given kind, by name.
async fn local_actor(db: &Db, name: &str, kind: &str) -> Result<accounts::Model, Error> {
    let a = queries::local_account(db, name.trim_start_matches('@'))
        .await?
        .filter(|a| a.actor_type == kind)
        .ok_or_else(|| Error::NotFound(format!("no local {} named {name}", noun(kind))))?;
    if a.suspended {
        return Err(Error::Usage(format!("the {} {name} is suspended or deleted", noun(kind))));
    }
    Ok(a)
}

/// An actor given as `NAME@DOMAIN` (or `@NAME@DOMAIN`) or as its actor URL: local, or fetched.
async fn resolve(fed: &Federation, handle: &str) -> Result<accounts::Model, Error> {
    let h = handle.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        if fed.config.is_local(h) {
            return queries::account_by_uri(&fed.db, h)
                .await?
                .ok_or_else(|| Error::NotFound(format!("no local actor {h}")));
        }
        return Ok(actors::fetch_actor(fed, h).await?);
    }
    let (user, domain) = webfinger::parse_acct(h)
        .ok_or_else(|| Error::Usage(format!("{handle:?} is neither NAME@DOMAIN nor an actor URL")))?;
    if domain.eq_ignore_ascii_case(&fed.config.domain) {
        return queries::local_account(&fed.db, &user)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no local actor named {user}")));
    }
    Ok(webfinger::resolve(fed, &user, &domain).await?)
}

/// The alias of `a` that `handle` (NAME@DOMAIN or an actor URL) names, found among the
/// actors this instance knows (taking an alias back must work when the old actor is gone),
/// else asked to the handle's server.
async fn alias_named(fed: &Federation, a: &accounts::Model, handle: &str) -> Result<String, Error> {
    let (db, local_domain) = (&fed.db, fed.config.domain.as_str());
    let h = handle.trim();
    let aliases = coopol_db::moves::aliases(a);
    if aliases.iter().any(|u| u == h) {
        return Ok(h.to_string());
    }
    if let Some((user, domain)) = webfinger::parse_acct(h) {
        for uri in &aliases {
            let Some(known) = queries::account_by_uri(db, uri).await? else { continue };
            let known_domain = known.domain.as_deref().unwrap_or(local_domain);
            if known.username.eq_ignore_ascii_case(&user) && known_domain.eq_ignore_ascii_case(&domain) {
                return Ok(known.uri);
            }
        }
        if let Ok(found) = webfinger::resolve(fed, &user, &domain).await {
            if aliases.contains(&found.uri) {
                return Ok(found.uri);
            }
        }
    }
    Err(Error::NotFound(format!("{} does not declare {h} as an alias (its aliases: {})", a.uri, aliases.join(", "))))
}

pub async fn run(db: Db, config: &Config, kind: &str, cmd: MoveCommand, out: &mut impl Write) -> Result<(), Error> {
    match cmd {
        MoveCommand::Alias { name, add: Some(add), .. } => {
            let a = local_actor(&db, &name, kind).await?;
            let fed = Federation::new(config.instance(), db).await?;
            let old = resolve(&fed, &add).await?;
            let list = r#move::add_alias(&fed, &a, &old.uri).await?;
            writeln!(out, "{} now declares {} as an alias ({} in all)", a.uri, old.uri, list.len()).map_err(write_err)
        }
        MoveCommand::Alias { name, add: None, remove } => {
            let a = local_actor(&db, &name, kind).await?;
            let gone = remove.ok_or_else(|| Error::Usage("give --add or --remove".into()))?;
            let fed = Federation::new(config.instance(), db).await?;
            let uri = alias_named(&fed, &a, &gone).await?;
            let list = coopol_db::moves::remove_alias(&fed.db, &a, &uri).await?;
            writeln!(out, "{} no longer declares {uri} as an alias ({} left)", a.uri, list.len()).map_err(write_err)
        }
        MoveCommand::Move { name, to } => {
            let a = local_actor(&db, &name, kind).await?;
            let fed = Federation::new(config.instance(), db).await?;
            let target = resolve(&fed, &to).await?;
            let (target, local) = r#move::move_local_account(&fed, &a, &target.uri).await?;
            writeln!(
                out,
                "{} moved to {}: {local} local followers moved; the running server sends Move to the others",
                a.uri, target.uri
            )
            .map_err(write_err)
        }
        MoveCommand::Export { name, out: path } => {
            let a = local_actor(&db, &name, kind).await?;
            let media = crate::serve::media(config)?;
            let e = archive::export(&db, &media, &config.domain, &a, &path).await?;
            let linked = match e.media_linked {
                0 => String::new(),
                n => format!(" ({n} more as links: with them the archive would exceed what an import reads)"),
            };
            writeln!(
                out,
                "exported {}: {} posts, {} group posts, {} media files{linked}, {} followers, {} members to {}",
                a.uri,
                e.posts,
                e.group_posts,
                e.media_files,
                e.followers,
                e.members,
                path.display()
            )
            .map_err(write_err)
        }
        MoveCommand::Import { file, into } => {
            let arc = archive::read(&file)?;
            archive::validate(&arc)?;
            if arc.actor.kind != kind {
                return Err(Error::Usage(format!(
                    "this is the archive of a {}: import it with `coopol admin {} import`",
                    noun(&arc.actor.kind),
                    noun(&arc.actor.kind)
                )));
            }
            let name = into.unwrap_or_else(|| arc.actor.username.clone());
            let a = local_actor(&db, &name, kind).await.map_err(|e| match e {
                Error::NotFound(m) => Error::NotFound(format!(
                    "{m}: create it first (`coopol admin {} create {name} ...`) or name another with --into",
                    noun(kind)
                )),
                other => other,
            })?;
            let media = crate::serve::media(config)?;
            let fed = Federation::new(config.instance(), db).await?;
            let done = archive::import(&fed, &media, &arc, &a).await?;
            writeln!(
                out,
                "imported into {}: {} posts ({} already there), {} group posts ({} already there, {} left out: \
                 author unreachable), {} media files, {} profile images, {} followers and {} members remembered; \
                 alias {} added",
                a.uri,
                done.posts,
                done.already,
                done.group_posts,
                done.group_already,
                done.skipped,
                done.media_files,
                done.profile_images,
                done.followers,
                done.members,
                arc.actor.id
            )
            .map_err(write_err)
        }
    }
}
