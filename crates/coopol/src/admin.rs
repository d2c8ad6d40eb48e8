//! `coopol admin ...`: accounts, tokens and domain blocks, straight on the database. They run
//! on the server with the same configuration as `coopol serve`, and may run while it runs.

use std::io::Write;

use coopol_core::Role;
use coopol_db::entities::domain_blocks;
use coopol_db::{queries, Db};
use coopol_service::admin::{AccountState, LocalAccount};
use coopol_service::registrations::{self, NewAccount, RegistrationError};
use sea_orm::{EntityTrait, QueryOrder};

use crate::cli::{AccountCommand, AdminCommand, CreateAccount, DomainBlockCommand};
use crate::config::Config;
use crate::error::Error;

/// Scopes of tokens made by `coopol admin token`.
pub const TOKEN_SCOPES: &str = "read write follow push";

/// Runs an admin command; what it prints goes to `out`.
pub async fn run(config: &Config, command: AdminCommand, out: &mut impl Write) -> Result<(), Error> {
    let db = crate::setup::open(config).await?;
    match command {
        AdminCommand::Account { command: AccountCommand::Create(c) } => create_account(&db, config, c, out).await,
        AdminCommand::Account { command: AccountCommand::List } => list_accounts(&db, config, out).await,
        AdminCommand::Account { command: AccountCommand::Delete { name, yes, reason } } => {
            delete_account(db, config, &name, yes, &reason, out).await
        }
        AdminCommand::Account { command: AccountCommand::Suspend { name, reason } } => {
            suspend_account(db, config, &name, true, &reason, out).await
        }
        AdminCommand::Account { command: AccountCommand::Unsuspend { name, reason } } => {
            suspend_account(db, config, &name, false, &reason, out).await
        }
        AdminCommand::Account { command: AccountCommand::Move(m) } => {
            crate::admin_move::run(db, config, "Person", m, out).await
        }
        AdminCommand::Token { name } => token(&db, &name, out).await,
        AdminCommand::DomainBlock { command: DomainBlockCommand::Add { domain, reason } } => {
            block_domain(&db, config, &domain, &reason, out).await
        }
        AdminCommand::DomainBlock { command: DomainBlockCommand::Remove { domain } } => {
            unblock_domain(&db, config, &domain, out).await
        }
        AdminCommand::DomainBlock { command: DomainBlockCommand::List } => list_domain_blocks(&db, out).await,
        AdminCommand::Group { command } => crate::admin_group::run(&db, config, command, out).await,
        AdminCommand::Registrations { command } => {
            crate::admin_registrations::registrations(db, config, command, out).await
        }
        AdminCommand::Invite { command } => crate::admin_registrations::invite(db, config, command, out).await,
    }
}

pub(crate) fn write_err(e: std::io::Error) -> Error {
    Error::Io { what: "cannot write to standard output".into(), source: e }
}

async fn create_account(db: &Db, config: &Config, c: CreateAccount, out: &mut impl Write) -> Result<(), Error> {
    let svc = coopol_service::Service::new(config.instance(), db.clone());
    let new = NewAccount { username: c.name, email: c.email, password: c.password };
    let role: Role = c.role.into();
    let user = registrations::create_account(&svc, &new, role).await.map_err(|e| match e {
        RegistrationError::Service(e) => Error::from(e),
        other => Error::Usage(other.to_string()),
    })?;
    let account = queries::account_by_id(db, user.account_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("the account of {} vanished", new.username)))?;
    writeln!(
        out,
        "created @{}@{} ({}, {}), actor {}",
        account.username,
        config.domain,
        user.email,
        role.as_str(),
        account.uri
    )
    .map_err(write_err)
}

/// Local accounts that can log in, oldest first (`coopol_service::admin::local_accounts`, as
/// the web panel lists them).
async fn list_accounts(db: &Db, config: &Config, out: &mut impl Write) -> Result<(), Error> {
    let service = coopol_service::Service::new(config.instance(), db.clone());
    let rows = coopol_service::admin::local_accounts(&service).await?;
    let mut table = vec![["USERNAME".to_string(), "EMAIL".into(), "ROLE".into(), "CREATED".into()]];
    for r in rows {
        let name = match r.state {
            AccountState::Active => r.account.username.clone(),
            AccountState::Suspended => format!("{} (suspended)", r.account.username),
            AccountState::Deleted => format!("{} (deleted)", r.account.username),
        };
        table.push([name, r.user.email, r.user.role, r.user.created_at.format("%Y-%m-%d %H:%M UTC").to_string()]);
    }
    write_table(out, &table)
}

/// Prints rows as left-aligned columns separated by two spaces.
fn write_table<const N: usize>(out: &mut impl Write, rows: &[[String; N]]) -> Result<(), Error> {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end()).map_err(write_err)?;
    }
    Ok(())
}

/// The local person named `name`, as the admin functions take it.
async fn local_person(service: &coopol_service::Service, name: &str) -> Result<LocalAccount, Error> {
    let account = queries::local_account(&service.db, name.trim_start_matches('@'))
        .await?
        .filter(|a| a.actor_type == "Person")
        .ok_or_else(|| Error::NotFound(format!("no local account named {name}")))?;
    Ok(coopol_service::admin::local_account(service, account.id).await?)
}

async fn delete_account(
    db: Db,
    config: &Config,
    name: &str,
    yes: bool,
    reason: &str,
    out: &mut impl Write,
) -> Result<(), Error> {
    if !yes {
        return Err(Error::Usage(format!("deleting {name} cannot be undone: add --yes to confirm")));
    }
    let service = coopol_service::Service::new(config.instance(), db);
    let account = local_person(&service, name).await?;
    if account.state == AccountState::Deleted {
        return Err(Error::Usage(format!("the account {name} is already deleted")));
    }
    let posts = coopol_service::admin::delete_account(&service, None, &account, reason).await?;
    writeln!(
        out,
        "deleted @{}: {posts} posts removed; the running server tells the other servers (Delete)",
        account.account.username
    )
    .map_err(write_err)
}

async fn suspend_account(
    db: Db,
    config: &Config,
    name: &str,
    suspend: bool,
    reason: &str,
    out: &mut impl Write,
) -> Result<(), Error> {
    let service = coopol_service::Service::new(config.instance(), db);
    let account = local_person(&service, name).await?;
    let who = &account.account.username;
    if suspend {
        if !coopol_service::admin::suspend_account(&service, None, &account, reason).await? {
            return writeln!(out, "@{who} is already suspended").map_err(write_err);
        }
        writeln!(out, "suspended @{who}: it can no longer sign in nor use its tokens").map_err(write_err)
    } else {
        if !coopol_service::admin::unsuspend_account(&service, None, &account, reason).await? {
            return writeln!(out, "@{who} is not suspended").map_err(write_err);
        }
        writeln!(out, "unsuspended @{who}: it may sign in again").map_err(write_err)
    }
}

async fn token(db: &Db, name: &str, out: &mut impl Write) -> Result<(), Error> {
    let account = queries::local_account(db, name.trim_start_matches('@'))
        .await?
        .ok_or_else(|| Error::NotFound(format!("no local account named {name}")))?;
    if account.suspended {
        return Err(Error::Usage(format!("the account {name} is suspended")));
    }
    let user = queries::user_by_account(db, account.id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("the account {name} cannot log in (it has no user)")))?;
    let token = coopol_api::auth::issue_token(db, user.id, TOKEN_SCOPES).await?;
    writeln!(out, "{token}").map_err(write_err)
}

/// The domain to block, as the inbox compares it (`coopol_service::admin::normalize_domain`).
pub fn normalize_block_domain(input: &str) -> Result<String, Error> {
    coopol_service::admin::normalize_domain(input).map_err(|e| Error::Usage(e.to_string()))
}

async fn block_domain(db: &Db, config: &Config, input: &str, reason: &str, out: &mut impl Write) -> Result<(), Error> {
    let domain = normalize_block_domain(input)?;
    let service = coopol_service::Service::new(config.instance(), db.clone());
    if !coopol_service::admin::block_domain(&service, None, &domain, reason).await? {
        return writeln!(out, "{domain} is already blocked").map_err(write_err);
    }
    writeln!(out, "blocked {domain}: its activities are refused from now on").map_err(write_err)
}

async fn unblock_domain(db: &Db, config: &Config, input: &str, out: &mut impl Write) -> Result<(), Error> {
    let domain = normalize_block_domain(input)?;
    let service = coopol_service::Service::new(config.instance(), db.clone());
    if !coopol_service::admin::unblock_domain(&service, None, &domain, "").await? {
        return Err(Error::NotFound(format!("{domain} is not blocked")));
    }
    writeln!(out, "unblocked {domain}").map_err(write_err)
}

async fn list_domain_blocks(db: &Db, out: &mut impl Write) -> Result<(), Error> {
    let rows = domain_blocks::Entity::find().order_by_asc(domain_blocks::Column::Domain).all(db).await?;
    let mut table = vec![["DOMAIN".to_string(), "SEVERITY".into(), "CREATED".into(), "REASON".into()]];
    for b in rows {
        table.push([b.domain, b.severity, b.created_at.format("%Y-%m-%d %H:%M UTC").to_string(), b.reason]);
    }
    write_table(out, &table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_domains() {
        assert_eq!(normalize_block_domain("Spam.Example").unwrap(), "spam.example");
        assert_eq!(normalize_block_domain("https://spam.example/users/x").unwrap(), "spam.example");
        assert_eq!(normalize_block_domain("http://localhost:8081/").unwrap(), "localhost:8081");
        assert_eq!(normalize_block_domain("spam.example:8443").unwrap(), "spam.example:8443");
        assert_eq!(normalize_block_domain("spam.example:443").unwrap(), "spam.example");
        assert!(normalize_block_domain("not a domain").is_err());
        assert!(normalize_block_domain("").is_err());
    }

    #[test]
    fn tables_align() {
        let mut out = Vec::new();
        write_table(&mut out, &[["A".to_string(), "B".into()], ["long".into(), "x".into()]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A     B\nlong  x\n");
    }

    use crate::cli::RoleArg;
    use crate::setup::testing;

    fn create(name: &str, email: &str, role: RoleArg) -> AdminCommand {
        AdminCommand::Account {
            command: AccountCommand::Create(CreateAccount {
                name: name.into(),
                email: email.into(),
                password: "secretpass1".into(),
                role,
            }),
        }
    }

    async fn admin(config: &Config, command: AdminCommand) -> Result<String, Error> {
        let mut out = Vec::new();
        run(config, command, &mut out).await?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[tokio::test]
    async fn accounts_tokens_and_blocks() {
        for t in testing::all("localhost:18090", true).await {
            accounts_tokens_and_blocks_on(&t.config).await;
            t.cleanup().await;
        }
    }

    async fn accounts_tokens_and_blocks_on(config: &Config) {
        let config = config.clone();
        let out = admin(&config, create("alice", "Alice@X.org", RoleArg::Admin)).await.unwrap();
        assert!(out.contains("@alice@localhost:18090"), "{out}");
        admin(&config, create("bob", "bob@x.org", RoleArg::User)).await.unwrap();

        // Taken names and addresses, bad input: clear errors, nothing half-created.
        let err = admin(&config, create("Alice", "other@x.org", RoleArg::User)).await.unwrap_err();
        assert!(err.to_string().contains("already taken"), "{err}");
        let err = admin(&config, create("carol", "alice@x.org", RoleArg::User)).await.unwrap_err();
        assert!(err.to_string().contains("already used"), "{err}");
        assert!(admin(&config, create("no way", "c@x.org", RoleArg::User)).await.is_err());
        let db = crate::setup::open(&config).await.unwrap();
        assert!(queries::local_account(&db, "carol").await.unwrap().is_none());

        let list = admin(&config, AdminCommand::Account { command: AccountCommand::List }).await.unwrap();
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 3, "{list}");
        assert!(lines[0].starts_with("USERNAME"));
        assert!(
            lines[1].starts_with("alice ") && lines[1].contains("alice@x.org") && lines[1].contains("admin"),
            "{list}"
        );
        assert!(lines[2].starts_with("bob ") && lines[2].contains(" user "), "{list}");

        let alice = queries::local_account(&db, "alice").await.unwrap().unwrap();
        assert_eq!(alice.uri, "http://localhost:18090/users/alice");
        let user = queries::user_by_account(&db, alice.id).await.unwrap().unwrap();
        assert!(user.password_hash.starts_with("$argon2"), "{}", user.password_hash);

        let token = admin(&config, AdminCommand::Token { name: "alice".into() }).await.unwrap();
        assert_eq!(token.lines().count(), 1);
        assert!(!token.trim().is_empty() && !token.trim().contains(' '));
        let err = admin(&config, AdminCommand::Token { name: "nobody".into() }).await.unwrap_err();
        assert!(err.to_string().contains("no local account"), "{err}");

        let block = |d: &str| AdminCommand::DomainBlock {
            command: DomainBlockCommand::Add { domain: d.into(), reason: "spam wave".into() },
        };
        admin(&config, block("Spam.Example")).await.unwrap();
        let again = admin(&config, block("https://spam.example/users/x")).await.unwrap();
        assert!(again.contains("already blocked"), "{again}");
        assert!(queries::is_domain_blocked(&db, "spam.example").await.unwrap());
        let list = admin(&config, AdminCommand::DomainBlock { command: DomainBlockCommand::List }).await.unwrap();
        assert!(list.lines().nth(1).unwrap().starts_with("spam.example  suspend"), "{list}");
        assert!(list.lines().nth(1).unwrap().ends_with("spam wave"), "the reason is listed: {list}");
        let unblock = |d: &str| AdminCommand::DomainBlock { command: DomainBlockCommand::Remove { domain: d.into() } };
        admin(&config, unblock("spam.example")).await.unwrap();
        assert!(!queries::is_domain_blocked(&db, "spam.example").await.unwrap());
        let err = admin(&config, unblock("spam.example")).await.unwrap_err();
        assert!(err.to_string().contains("is not blocked"), "{err}");

        // Suspending stops tokens and sign-in; lifting it brings the account back; the web
        // panel's log shows what the command line did.
        let suspend = |name: &str| AdminCommand::Account {
            command: AccountCommand::Suspend { name: name.into(), reason: "abuse".into() },
        };
        let unsuspend = |name: &str| AdminCommand::Account {
            command: AccountCommand::Unsuspend { name: name.into(), reason: String::new() },
        };
        assert!(admin(&config, suspend("bob")).await.unwrap().contains("suspended @bob"));
        assert!(admin(&config, suspend("bob")).await.unwrap().contains("already suspended"));
        let err = admin(&config, AdminCommand::Token { name: "bob".into() }).await.unwrap_err();
        assert!(err.to_string().contains("suspended"), "{err}");
        assert!(coopol_service::credentials::check_password(&db, "bob", "secretpass1").await.unwrap().is_none());
        let list = admin(&config, AdminCommand::Account { command: AccountCommand::List }).await.unwrap();
        assert!(list.contains("bob (suspended)"), "{list}");
        assert!(admin(&config, unsuspend("bob")).await.unwrap().contains("unsuspended @bob"));
        assert!(coopol_service::credentials::check_password(&db, "bob", "secretpass1").await.unwrap().is_some());
        let delete = AdminCommand::Account {
            command: AccountCommand::Delete { name: "bob".into(), yes: true, reason: "left".into() },
        };
        admin(&config, delete).await.unwrap();
        let err = admin(&config, unsuspend("bob")).await.unwrap_err();
        assert!(err.to_string().contains("deleted"), "{err}");
        let list = admin(&config, AdminCommand::Account { command: AccountCommand::List }).await.unwrap();
        assert!(list.contains("bob (deleted)"), "{list}");
        let svc = coopol_service::Service::new(config.instance(), db.clone());
        let log = coopol_service::admin::log_page(&svc, None).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.entry.action.as_str()).collect();
        assert_eq!(
            actions,
            ["account_delete", "account_unsuspend", "account_suspend", "domain_unblock", "domain_block"],
            "newest first"
        );
        assert!(log.iter().all(|e| e.entry.actor_account_id.is_none()), "the command line acts as nobody");
    }
}
