//! What the instance's admin does beyond a person's actions: domain blocks (with a reason),
//! suspending and unsuspending local accounts and groups, deleting a local account, the
//! dashboard's figures, and the log of admin actions. Every door (the web panel, `coopol
//! admin`) calls these functions; each change writes its log entry in its own transaction.
//! Who may act is checked here too (`require_admin`); the command line runs on the server as
//! its operator and acts as nobody (`by: None`).

use coopol_core::group::ModAction;
use coopol_core::{Intent, Role};
use coopol_db::entities::{
    account_suspensions, accounts, admin_log, delivery_jobs, domain_blocks, inbox_jobs, instances, media_attachments,
    outbox, statuses, users, web_sessions,
};
use coopol_db::WriteTxn;
use coopol_db::{groups as gq, queries};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use crate::{Service, ServiceError};

/// Longest reason kept with an admin action.
pub const MAX_REASON: usize = 1000;
/// Entries of the admin log on one page.
pub const LOG_PAGE: u64 = 50;

/// What the admin did, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    DomainBlock,
    DomainUnblock,
    AccountSuspend,
    AccountUnsuspend,
    AccountDelete,
    GroupSuspend,
    GroupUnsuspend,
}

impl AdminAction {
    pub const ALL: [AdminAction; 7] = [
        AdminAction::DomainBlock,
        AdminAction::DomainUnblock,
        AdminAction::AccountSuspend,
        AdminAction::AccountUnsuspend,
        AdminAction::AccountDelete,
        AdminAction::GroupSuspend,
        AdminAction::GroupUnsuspend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::DomainBlock => "domain_block",
            AdminAction::DomainUnblock => "domain_unblock",
            AdminAction::AccountSuspend => "account_suspend",
            AdminAction::AccountUnsuspend => "account_unsuspend",
            AdminAction::AccountDelete => "account_delete",
            AdminAction::GroupSuspend => "group_suspend",
            AdminAction::GroupUnsuspend => "group_unsuspend",
        }
    }

    /// A stored action, if it names one of ours.
    pub fn parse(s: &str) -> Option<AdminAction> {
        AdminAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Whether a user is an admin of the instance.
pub fn is_admin(user: &users::Model) -> bool {
    user.role.parse::<Role>().is_ok_and(|r| r == Role::Admin)
}

/// Refuses anyone who is not an admin of the instance.
pub fn require_admin(user: &users::Model) -> Result<(), ServiceError> {
    if is_admin(user) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("this is for the instance's admins".into()))
    }
}

/// A reason as kept: trimmed, and refused when too long.
fn reason_of(reason: &str) -> Result<String, ServiceError> {
    let r = reason.trim();
    if r.chars().count() > MAX_REASON {
        return Err(ServiceError::Unprocessable(format!("the reason is too long (maximum {MAX_REASON} characters)")));
    }
    Ok(r.to_string())
}

/// Writes an entry of the admin log, inside the caller's transaction.
async fn log(
    db: &impl ConnectionTrait,
    by: Option<i64>,
    action: AdminAction,
    target: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    admin_log::ActiveModel {
        id: Set(coopol_core::new_id()),
        actor_account_id: Set(by),
        action: Set(action.as_str().to_string()),
        target: Set(target.to_string()),
        reason: Set(reason.to_string()),
        created_at: Set(coopol_db::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The domain to block, as the inbox compares it: `host` or `host:port`, lowercased, without
/// the scheme's default port. A URL is accepted too and reduced to its host and port.
pub fn normalize_domain(input: &str) -> Result<String, ServiceError> {
    let s = input.trim();
    let refuse = || {
        ServiceError::Unprocessable(format!(
            "{input:?} is not a domain: give a host name such as spam.example (with :port if not 443)"
        ))
    };
    let url = if s.contains("://") {
        url::Url::parse(s).map_err(|_| refuse())?
    } else {
        let bare = s.trim_end_matches('/');
        if bare.is_empty() || bare.contains(['/', '@', '?', '#']) || bare.chars().any(char::is_whitespace) {
            return Err(refuse());
        }
        url::Url::parse(&format!("https://{bare}/")).map_err(|_| refuse())?
    };
    let domain = crate::config::authority(&url).ok_or_else(refuse)?;
    // A host needs a dot or a port (or to be `localhost`): "spam" alone is a typo.
    if !(domain.contains('.') || domain.contains(':') || url.host_str() == Some("localhost")) {
        return Err(refuse());
    }
    // Peers never write the scheme's default port, so a block must not carry it either.
    Ok(domain.strip_suffix(":443").or_else(|| domain.strip_suffix(":80")).map(str::to_string).unwrap_or(domain))
}

/// Blocks a domain (already normalised, see [`normalize_domain`]): its activities are refused
/// and nothing is delivered to it any more. `false` when it was blocked already.
pub async fn block_domain(svc: &Service, by: Option<i64>, domain: &str, reason: &str) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    if domain_blocks::Entity::find_by_id(domain.to_string()).one(&svc.db).await?.is_some() {
        return Ok(false);
    }
    let txn = svc.db.begin_write().await?;
    domain_blocks::ActiveModel {
        domain: Set(domain.to_string()),
        severity: Set("suspend".into()),
        created_at: Set(coopol_db::now()),
        reason: Set(reason.clone()),
    }
    .insert(&txn)
    .await?;
    log(&txn, by, AdminAction::DomainBlock, domain, &reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// Lifts a domain block; `false` when the domain was not blocked.
pub async fn unblock_domain(svc: &Service, by: Option<i64>, domain: &str, reason: &str) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    let txn = svc.db.begin_write().await?;
    let gone = domain_blocks::Entity::delete_by_id(domain.to_string()).exec(&txn).await?.rows_affected > 0;
    if !gone {
        return Ok(false);
    }
    log(&txn, by, AdminAction::DomainUnblock, domain, &reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// The domain blocks, by domain.
pub async fn domain_blocks(svc: &Service) -> Result<Vec<domain_blocks::Model>, ServiceError> {
    Ok(domain_blocks::Entity::find().order_by_asc(domain_blocks::Column::Domain).all(&svc.db).await?)
}

/// What became of a local account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    /// Suspended by the admin: it may come back.
    Suspended,
    /// Deleted: its posts are gone and its name is never reused.
    Deleted,
}

/// A local account as the admin sees it.
#[derive(Debug, Clone)]
pub struct LocalAccount {
    pub account: accounts::Model,
    pub user: users::Model,
    pub state: AccountState,
    /// Why it was suspended (empty when active, deleted or no reason was given).
    pub reason: String,
}

/// The local accounts that can sign in (or could), oldest first.
pub async fn local_accounts(svc: &Service) -> Result<Vec<LocalAccount>, ServiceError> {
    let rows = users::Entity::find().order_by_asc(users::Column::CreatedAt).all(&svc.db).await?;
    let ids: Vec<i64> = rows.iter().map(|u| u.account_id).collect();
    let accounts: std::collections::HashMap<i64, accounts::Model> = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(ids.clone()))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let suspensions: std::collections::HashMap<i64, String> = account_suspensions::Entity::find()
        .filter(account_suspensions::Column::AccountId.is_in(ids))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|s| (s.account_id, s.reason))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|user| {
            let account = accounts.get(&user.account_id)?.clone();
            let reason = suspensions.get(&account.id).cloned();
            let state = match (&reason, account.suspended) {
                (_, false) => AccountState::Active,
                (Some(_), true) => AccountState::Suspended,
                (None, true) => AccountState::Deleted,
            };
            Some(LocalAccount { account, user, state, reason: reason.unwrap_or_default() })
        })
        .collect())
}

/// The local account (a person with a user) whose id is `account_id`.
pub async fn local_account(svc: &Service, account_id: i64) -> Result<LocalAccount, ServiceError> {
    let account = queries::account_by_id(&svc.db, account_id)
        .await?
        .filter(|a| a.domain.is_none() && a.actor_type == "Person")
        .ok_or(ServiceError::NotFound)?;
    let user = queries::user_by_account(&svc.db, account.id).await?.ok_or(ServiceError::NotFound)?;
    let suspension = account_suspensions::Entity::find_by_id(account.id).one(&svc.db).await?;
    let state = match (&suspension, account.suspended) {
        (_, false) => AccountState::Active,
        (Some(_), true) => AccountState::Suspended,
        (None, true) => AccountState::Deleted,
    };
    Ok(LocalAccount { account, user, state, reason: suspension.map(|s| s.reason).unwrap_or_default() })
}

/// The admin does not lock themself out.
fn not_myself(by: Option<i64>, account: &accounts::Model) -> Result<(), ServiceError> {
    if by == Some(account.id) {
        return Err(ServiceError::Unprocessable("you cannot do this to your own account".into()));
    }
    Ok(())
}

/// Suspends a local account: it can no longer sign in, its sessions end and its tokens are
/// refused while it stays suspended; its posts and follows are kept, so it can come back.
/// Other servers are not told (they see its actor as gone when they fetch it). `false` when it
/// was suspended already.
pub async fn suspend_account(
    svc: &Service,
    by: Option<i64>,
    account: &LocalAccount,
    reason: &str,
) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    not_myself(by, &account.account)?;
    match account.state {
        AccountState::Active => {}
        AccountState::Suspended => return Ok(false),
        AccountState::Deleted => return Err(ServiceError::Unprocessable("this account was deleted".into())),
    }
    let txn = svc.db.begin_write().await?;
    set_suspended(&txn, account.account.id, true).await?;
    account_suspensions::ActiveModel {
        account_id: Set(account.account.id),
        reason: Set(reason.clone()),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    web_sessions::Entity::delete_many().filter(web_sessions::Column::UserId.eq(account.user.id)).exec(&txn).await?;
    log(&txn, by, AdminAction::AccountSuspend, &format!("@{}", account.account.username), &reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// Lifts the suspension of a local account: it may sign in again. `false` when it was not
/// suspended; a deleted account is refused.
pub async fn unsuspend_account(
    svc: &Service,
    by: Option<i64>,
    account: &LocalAccount,
    reason: &str,
) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    match account.state {
        AccountState::Suspended => {}
        AccountState::Active => return Ok(false),
        AccountState::Deleted => {
            return Err(ServiceError::Unprocessable("this account was deleted: it cannot come back".into()))
        }
    }
    let txn = svc.db.begin_write().await?;
    account_suspensions::Entity::delete_by_id(account.account.id).exec(&txn).await?;
    set_suspended(&txn, account.account.id, false).await?;
    log(&txn, by, AdminAction::AccountUnsuspend, &format!("@{}", account.account.username), &reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// Deletes a local account for good (`accounts::delete`: its posts go, every server that knows
/// it receives `Delete`), logged with the reason. Returns how many posts went.
pub async fn delete_account(
    svc: &Service,
    by: Option<i64>,
    account: &LocalAccount,
    reason: &str,
) -> Result<u64, ServiceError> {
    let reason = reason_of(reason)?;
    not_myself(by, &account.account)?;
    if account.state == AccountState::Deleted {
        return Err(ServiceError::Unprocessable("this account is already deleted".into()));
    }
    let entry = (by, format!("@{}", account.account.username), reason);
    crate::accounts::delete_logged(svc, &account.account, Some(entry)).await
}

/// Writes the log entry of an account's deletion (called inside `accounts::delete_logged`'s
/// transaction).
pub(crate) async fn log_delete(
    db: &impl ConnectionTrait,
    account_id: i64,
    (by, target, reason): &(Option<i64>, String, String),
) -> Result<(), ServiceError> {
    account_suspensions::Entity::delete_by_id(account_id).exec(db).await?;
    log(db, *by, AdminAction::AccountDelete, target, reason).await
}

/// The local groups, suspended ones included, by name.
pub async fn local_groups(svc: &Service) -> Result<Vec<accounts::Model>, ServiceError> {
    let mut groups: Vec<accounts::Model> = gq::local_groups(&svc.db).await?.into_iter().map(|(a, _)| a).collect();
    groups.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(groups)
}

/// The local group whose id is `id`.
pub async fn local_group(svc: &Service, id: i64) -> Result<accounts::Model, ServiceError> {
    queries::account_by_id(&svc.db, id)
        .await?
        .filter(|a| a.domain.is_none() && a.actor_type == gq::GROUP)
        .ok_or(ServiceError::NotFound)
}

/// Suspends a local group: it is logged in its moderation log and the admin log, and every
/// server that knows it receives its deletion. `false` when it was suspended already.
pub async fn suspend_group(
    svc: &Service,
    by: Option<i64>,
    group: &accounts::Model,
    reason: &str,
) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    if group.suspended {
        return Ok(false);
    }
    let txn = svc.db.begin_write().await?;
    set_suspended(&txn, group.id, true).await?;
    let why = if reason.is_empty() { "suspended by the instance admin" } else { reason.as_str() };
    gq::log(&txn, group.id, by, ModAction::Suspend, None, None, why).await?;
    log(&txn, by, AdminAction::GroupSuspend, &format!("!{}", group.username), &reason).await?;
    queries::record_intent(&txn, &Intent::DeleteAccount { account_id: group.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(true)
}

/// Lifts a local group's suspension: it shows on this instance again, and its members here
/// find it as before. Servers that received its deletion do not get it back by themselves
/// (their people follow it again). `false` when it was not suspended.
pub async fn unsuspend_group(
    svc: &Service,
    by: Option<i64>,
    group: &accounts::Model,
    reason: &str,
) -> Result<bool, ServiceError> {
    let reason = reason_of(reason)?;
    if !group.suspended {
        return Ok(false);
    }
    let txn = svc.db.begin_write().await?;
    set_suspended(&txn, group.id, false).await?;
    let why = if reason.is_empty() { "unsuspended by the instance admin" } else { reason.as_str() };
    gq::log(&txn, group.id, by, ModAction::Unsuspend, None, None, why).await?;
    log(&txn, by, AdminAction::GroupUnsuspend, &format!("!{}", group.username), &reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// Marks a local actor (person or group) suspended or not, in the caller's transaction: the
/// one write the four suspension workflows share.
async fn set_suspended(txn: &impl ConnectionTrait, account_id: i64, suspended: bool) -> Result<(), ServiceError> {
    accounts::Entity::update_many()
        .col_expr(accounts::Column::Suspended, Expr::value(suspended))
        .col_expr(accounts::Column::UpdatedAt, Expr::value(coopol_db::now()))
        .filter(accounts::Column::Id.eq(account_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// An entry of the admin log, with who acted.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub entry: admin_log::Model,
    /// The admin's account; `None` for the command line (or an account since removed).
    pub by: Option<accounts::Model>,
}

/// A page of the admin log, newest first: the entries older than `before` (an entry id).
pub async fn log_page(svc: &Service, before: Option<i64>) -> Result<Vec<LogEntry>, ServiceError> {
    let mut q = admin_log::Entity::find().order_by_desc(admin_log::Column::Id).limit(LOG_PAGE);
    if let Some(b) = before {
        q = q.filter(admin_log::Column::Id.lt(b));
    }
    let rows = q.all(&svc.db).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_account_id).collect();
    let who: std::collections::HashMap<i64, accounts::Model> = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(ids))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(rows
        .into_iter()
        .map(|entry| LogEntry { by: entry.actor_account_id.and_then(|id| who.get(&id).cloned()), entry })
        .collect())
}

/// The dashboard's figures, counted now (the page is for one or two people).
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// Local people who can sign in (not suspended nor deleted).
    pub local_accounts: u64,
    pub local_groups: u64,
    /// People and groups of other servers known here.
    pub remote_accounts: u64,
    /// Posts written here (boosts not counted).
    pub local_statuses: u64,
    /// Posts known here, from everywhere.
    pub statuses: u64,
    /// Changes waiting to be turned into deliveries.
    pub outbox: u64,
    /// Deliveries to other servers waiting (or retrying).
    pub deliveries: u64,
    /// Activities received and not applied yet.
    pub inbox: u64,
    /// Servers that failed to answer on several days: nothing is sent to them for now.
    pub unavailable: Vec<String>,
    pub domain_blocks: u64,
    /// Bytes of media files uploaded here (attachments).
    pub media_bytes: u64,
}

/// The figures of the dashboard.
pub async fn dashboard(svc: &Service) -> Result<Dashboard, ServiceError> {
    let db = &svc.db;
    let local_accounts = queries::active_local_users(db).await?;
    let local_groups = accounts::Entity::find()
        .filter(accounts::Column::Domain.is_null())
        .filter(accounts::Column::ActorType.eq(gq::GROUP))
        .filter(accounts::Column::Suspended.eq(false))
        .count(db)
        .await?;
    let remote_accounts = accounts::Entity::find().filter(accounts::Column::Domain.is_not_null()).count(db).await?;
    let local_statuses = statuses::Entity::find()
        .filter(statuses::Column::Local.eq(true))
        .filter(statuses::Column::ReblogOfId.is_null())
        .count(db)
        .await?;
    let all_statuses = statuses::Entity::find().count(db).await?;
    let outbox = outbox::Entity::find().count(db).await?;
    let deliveries = delivery_jobs::Entity::find().count(db).await?;
    let inbox = inbox_jobs::Entity::find().count(db).await?;
    let unavailable = instances::Entity::find()
        .filter(instances::Column::Unavailable.eq(true))
        .order_by_asc(instances::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.domain)
        .collect();
    let domain_blocks = domain_blocks::Entity::find().count(db).await?;
    let media: Option<i64> = media_attachments::Entity::find()
        .select_only()
        .column_as(
            Expr::col(media_attachments::Column::FileSize).sum().cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "n",
        )
        .filter(media_attachments::Column::FileKey.is_not_null())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(Dashboard {
        local_accounts,
        local_groups,
        remote_accounts,
        local_statuses,
        statuses: all_statuses,
        outbox,
        deliveries,
        inbox,
        unavailable,
        domain_blocks,
        media_bytes: media.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised() {
        assert_eq!(normalize_domain("Spam.Example").unwrap(), "spam.example");
        assert_eq!(normalize_domain(" https://spam.example/users/x ").unwrap(), "spam.example");
        assert_eq!(normalize_domain("http://localhost:8081/").unwrap(), "localhost:8081");
        assert_eq!(normalize_domain("spam.example:8443").unwrap(), "spam.example:8443");
        assert_eq!(normalize_domain("spam.example:443").unwrap(), "spam.example");
        assert_eq!(normalize_domain("localhost:8082").unwrap(), "localhost:8082");
        for bad in ["", "not a domain", "spam", "a/b", "user@spam.example", "https://"] {
            assert!(normalize_domain(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn actions_round_trip() {
        for a in AdminAction::ALL {
            assert_eq!(AdminAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(AdminAction::parse("nope"), None);
    }
}
