//! How people get an account, under every door (the web's sign-up page, the command line's
//! `admin account create`, the admin panel): the registration mode, invitation links, sign-up,
//! and approving or rejecting the accounts that wait.
//!
//! The mode the admin sets is stored (`instance_settings`); until they set one, the
//! configuration file's applies. Whatever the door, a new account is made by
//! [`create_account`]: its actor (with a fresh key pair) and its user, in one transaction.

use chrono::{DateTime, Duration, Utc};
use coopol_core::registration::{decide_sign_up, Invitation, SignUpDecision};
use coopol_core::{RegistrationMode, Role};
use coopol_db::entities::{accounts, instance_settings, invitations, user_settings, users};
use coopol_db::{queries, WriteTxn};
use sea_orm::sea_query::Func;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::credentials::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::{InstanceConfig, Service, ServiceError};

/// The setting's name in `instance_settings`.
const MODE_SETTING: &str = "registrations";
/// Longest reason a person may give when asking for an account.
pub const MAX_REASON_CHARS: usize = 1000;
/// Most uses an invitation link may allow, and longest it may live.
pub const MAX_INVITATION_USES: i32 = 1000;
pub const MAX_INVITATION_DAYS: i64 = 365;

/// What is wrong with a sign-up, field by field (a form shows each next to its field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    UsernameInvalid,
    UsernameTaken,
    EmailInvalid,
    EmailTaken,
    PasswordTooShort,
    PasswordTooLong,
    /// The instance approves accounts and no reason was given.
    ReasonMissing,
    ReasonTooLong,
}

impl Problem {
    /// The form field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            Problem::UsernameInvalid | Problem::UsernameTaken => "username",
            Problem::EmailInvalid | Problem::EmailTaken => "email",
            Problem::PasswordTooShort | Problem::PasswordTooLong => "password",
            Problem::ReasonMissing | Problem::ReasonTooLong => "reason",
        }
    }

    /// In English, for the command line and the API.
    pub fn message(self) -> String {
        match self {
            Problem::UsernameInvalid => "the username must be 1 to 30 letters, digits or underscores".into(),
            Problem::UsernameTaken => "this username is already taken".into(),
            Problem::EmailInvalid => "this is not an e-mail address".into(),
            Problem::EmailTaken => "this e-mail address is already used by another account".into(),
            Problem::PasswordTooShort => {
                format!("the password is too short (at least {MIN_PASSWORD_CHARS} characters)")
            }
            Problem::PasswordTooLong => format!("the password is too long (at most {MAX_PASSWORD_CHARS} characters)"),
            Problem::ReasonMissing => "say in a few words why you want to join".into(),
            Problem::ReasonTooLong => format!("the reason is too long (at most {MAX_REASON_CHARS} characters)"),
        }
    }
}

/// Why a sign-up made no account.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("registrations are closed on this instance")]
    Closed,
    #[error("this invitation link has expired, was used up or was withdrawn")]
    InvitationInvalid,
    #[error("{}", .0.iter().map(|p| p.message()).collect::<Vec<_>>().join("; "))]
    Problems(Vec<Problem>),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sea_orm::DbErr> for RegistrationError {
    fn from(e: sea_orm::DbErr) -> Self {
        RegistrationError::Service(e.into())
    }
}

impl From<coopol_db::DbError> for RegistrationError {
    fn from(e: coopol_db::DbError) -> Self {
        RegistrationError::Service(e.into())
    }
}

/// The e-mail address in the form it is stored (trimmed, lowercase), if it looks like one.
pub fn normalize_email(email: &str) -> Option<String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    valid.then_some(e)
}

/// The registration mode in force: the admin's, else the configuration file's.
pub async fn mode(svc: &Service) -> Result<RegistrationMode, ServiceError> {
    let stored = instance_settings::Entity::find_by_id(MODE_SETTING.to_string()).one(&svc.db).await?;
    Ok(stored.and_then(|s| s.value.parse().ok()).unwrap_or(svc.config.registrations))
}

/// Sets the registration mode (the panel and `coopol admin registrations set`).
pub async fn set_mode(svc: &Service, mode: RegistrationMode) -> Result<(), ServiceError> {
    let row = instance_settings::ActiveModel {
        name: Set(MODE_SETTING.into()),
        value: Set(mode.as_str().into()),
        updated_at: Set(coopol_db::now()),
    };
    instance_settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(instance_settings::Column::Name)
                .update_columns([instance_settings::Column::Value, instance_settings::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(&svc.db)
        .await?;
    Ok(())
}

/// A new local account, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
}

/// What is wrong with `new` (empty: nothing). Reads whether the name and address are free.
pub async fn problems(db: &impl ConnectionTrait, new: &NewAccount) -> Result<Vec<Problem>, ServiceError> {
    let mut out = Vec::new();
    if coopol_core::validate_username(&new.username).is_err() {
        out.push(Problem::UsernameInvalid);
    } else if username_taken(db, &new.username).await? {
        out.push(Problem::UsernameTaken);
    }
    match normalize_email(&new.email) {
        None => out.push(Problem::EmailInvalid),
        Some(e) => {
            if users::Entity::find().filter(users::Column::Email.eq(e)).one(db).await?.is_some() {
                out.push(Problem::EmailTaken);
            }
        }
    }
    let n = new.password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        out.push(Problem::PasswordTooShort);
    } else if n > MAX_PASSWORD_CHARS {
        out.push(Problem::PasswordTooLong);
    }
    Ok(out)
}

/// Whether a local actor (person or group, in any case) already has this name.
async fn username_taken(db: &impl ConnectionTrait, username: &str) -> Result<bool, ServiceError> {
    let lower = username.to_lowercase();
    let found = accounts::Entity::find()
        .filter(accounts::Column::Domain.is_null())
        .filter(Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).eq(lower))
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// How a new account starts.
#[derive(Debug, Clone)]
pub struct Start {
    pub role: Role,
    /// `false`: it waits for approval.
    pub approved: bool,
    pub reason: Option<String>,
    pub invitation_id: Option<i64>,
    /// The interface's language they chose, if any.
    pub locale: Option<String>,
}

/// Creates a local person's actor (a fresh key pair) and user in `txn`, after checking `new`;
/// the password hash and key pair are made by the caller before the transaction opens, as both
/// are slow.
async fn insert_account(
    txn: &impl ConnectionTrait,
    config: &InstanceConfig,
    new: &NewAccount,
    password_hash: String,
    keys: coopol_signatures::KeyPairPem,
    start: &Start,
) -> Result<users::Model, RegistrationError> {
    let problems = problems(txn, new).await?;
    if !problems.is_empty() {
        return Err(RegistrationError::Problems(problems));
    }
    let email = normalize_email(&new.email).ok_or(RegistrationError::Problems(vec![Problem::EmailInvalid]))?;
    let account = insert_local_actor(txn, config, &new.username, keys).await?;
    let now = coopol_db::now();
    let user = users::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account.id),
        email: Set(email),
        password_hash: Set(password_hash),
        role: Set(start.role.as_str().into()),
        created_at: Set(now),
        approved: Set(start.approved),
        sign_up_reason: Set(start.reason.clone()),
        invitation_id: Set(start.invitation_id),
    }
    .insert(txn)
    .await?;
    if let Some(locale) = &start.locale {
        user_settings::ActiveModel { user_id: Set(user.id), locale: Set(Some(locale.clone())), updated_at: Set(now) }
            .insert(txn)
            .await?;
    }
    Ok(user)
}

/// A fresh key pair for a new actor.
pub fn new_keys() -> Result<coopol_signatures::KeyPairPem, ServiceError> {
    coopol_signatures::generate_rsa_keypair().map_err(|e| ServiceError::Unprocessable(format!("key generation: {e}")))
}

/// Inserts a local person actor named `username` (checked by the caller) with `keys`.
pub async fn insert_local_actor(
    db: &impl ConnectionTrait,
    config: &InstanceConfig,
    username: &str,
    keys: coopol_signatures::KeyPairPem,
) -> Result<accounts::Model, ServiceError> {
    let uri = config.actor_url(username);
    let now = coopol_db::now();
    let model = accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(username.into()),
        domain: Set(None),
        display_name: Set(username.into()),
        note: Set(String::new()),
        uri: Set(uri.clone()),
        url: Set(config.profile_url(username)),
        actor_type: Set("Person".into()),
        inbox_url: Set(format!("{uri}/inbox")),
        shared_inbox_url: Set(Some(config.shared_inbox_url())),
        outbox_url: Set(Some(format!("{uri}/outbox"))),
        followers_url: Set(Some(format!("{uri}/followers"))),
        following_url: Set(Some(format!("{uri}/following"))),
        public_key_id: Set(format!("{uri}#main-key")),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(Some(keys.private_pem)),
        locked: Set(false),
        bot: Set(false),
        suspended: Set(false),
        moved_to_uri: Set(None),
        also_known_as: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        fetched_at: Set(None),
    };
    Ok(model.insert(db).await?)
}

/// Creates an approved local account with `role` (the admin's door: command line, panel).
pub async fn create_account(svc: &Service, new: &NewAccount, role: Role) -> Result<users::Model, RegistrationError> {
    let early = problems(&svc.db, new).await?;
    if !early.is_empty() {
        return Err(RegistrationError::Problems(early));
    }
    let hash = credentials::hash_password(&new.password)?;
    let keys = new_keys()?;
    let start = Start { role, approved: true, reason: None, invitation_id: None, locale: None };
    let txn = svc.db.begin_write().await?;
    let user = insert_account(&txn, &svc.config, new, hash, keys, &start).await?;
    txn.commit().await?;
    Ok(user)
}

/// A sign-up from the web page.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub account: NewAccount,
    /// Why they want to join (asked where accounts are approved).
    pub reason: String,
    /// The code of the invitation link they came with.
    pub invitation: Option<String>,
    pub locale: Option<String>,
}

/// What a sign-up made.
#[derive(Debug)]
pub enum Registered {
    /// An account that may sign in now.
    Active(users::Model),
    /// An account that waits for approval.
    Pending(users::Model),
}

/// Signs someone up under the registration mode in force and the invitation they came with.
/// Every problem with the form is reported at once; nothing is stored unless all is right.
pub async fn sign_up(svc: &Service, s: &SignUp) -> Result<Registered, RegistrationError> {
    let mode = mode(svc).await?;
    let invitation = match s.invitation.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => Some(invitation_by_code(svc, code).await?.ok_or(RegistrationError::InvitationInvalid)?),
        None => None,
    };
    let decision = decide_sign_up(mode, invitation.as_ref().map(rule_view), Utc::now());
    let approved = match decision {
        SignUpDecision::Active => true,
        SignUpDecision::Pending => false,
        SignUpDecision::Closed => return Err(RegistrationError::Closed),
        SignUpDecision::InvitationInvalid => return Err(RegistrationError::InvitationInvalid),
    };
    let reason = s.reason.trim();
    let mut found = problems(&svc.db, &s.account).await?;
    if !approved && reason.is_empty() {
        found.push(Problem::ReasonMissing);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        found.push(Problem::ReasonTooLong);
    }
    if !found.is_empty() {
        return Err(RegistrationError::Problems(found));
    }
    let hash = credentials::hash_password(&s.account.password)?;
    let keys = new_keys()?;
    let start = Start {
        role: Role::User,
        approved,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        invitation_id: invitation.as_ref().map(|i| i.id),
        locale: s.locale.clone(),
    };
    let txn = svc.db.begin_write().await?;
    if let Some(inv) = &invitation {
        // Counted in the sign-up's transaction, and only while uses remain: two people on the
        // last use of a link cannot both get in.
        let mut q = invitations::Entity::update_many()
            .col_expr(invitations::Column::Uses, Expr::col(invitations::Column::Uses).add(1))
            .filter(invitations::Column::Id.eq(inv.id))
            .filter(invitations::Column::Revoked.eq(false));
        if let Some(max) = inv.max_uses {
            q = q.filter(invitations::Column::Uses.lt(max));
        }
        if q.exec(&txn).await?.rows_affected == 0 {
            return Err(RegistrationError::InvitationInvalid);
        }
    }
    let user = insert_account(&txn, &svc.config, &s.account, hash, keys, &start).await?;
    txn.commit().await?;
    tracing::info!(username = %s.account.username, approved, invited = invitation.is_some(), "new account signed up");
    Ok(if approved { Registered::Active(user) } else { Registered::Pending(user) })
}

/// An account that waits for approval.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub user: users::Model,
    pub account: accounts::Model,
}

/// The accounts that wait for approval, oldest first.
pub async fn waiting(svc: &Service) -> Result<Vec<Waiting>, ServiceError> {
    let users = users::Entity::find()
        .filter(users::Column::Approved.eq(false))
        .order_by_asc(users::Column::CreatedAt)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        if let Some(account) = queries::account_by_id(&svc.db, user.account_id).await? {
            out.push(Waiting { user, account });
        }
    }
    Ok(out)
}

/// Who answers a waiting account or makes an invitation: a signed-in person (an admin or
/// moderator, checked), or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    User(&'a users::Model),
    CommandLine,
}

/// Only admins and moderators approve accounts and make invitations.
fn check_moderator(by: By<'_>) -> Result<(), ServiceError> {
    match by {
        By::CommandLine => Ok(()),
        By::User(u) => match u.role.parse::<Role>() {
            Ok(r) if r.can_moderate() => Ok(()),
            _ => Err(ServiceError::Forbidden("only the instance's admins and moderators may do this".into())),
        },
    }
}

/// The waiting account of `user_id`, or `NotFound` (already answered, or never waiting).
async fn waiting_user(db: &impl ConnectionTrait, user_id: i64) -> Result<users::Model, ServiceError> {
    users::Entity::find_by_id(user_id).one(db).await?.filter(|u| !u.approved).ok_or(ServiceError::NotFound)
}

/// Approves a waiting account: its person may sign in.
pub async fn approve(svc: &Service, by: By<'_>, user_id: i64) -> Result<users::Model, ServiceError> {
    check_moderator(by)?;
    let txn = svc.db.begin_write().await?;
    let user = waiting_user(&txn, user_id).await?;
    let mut m: users::ActiveModel = user.into();
    m.approved = Set(true);
    let user = m.update(&txn).await?;
    txn.commit().await?;
    Ok(user)
}

/// Rejects a waiting account: it is removed (it never posted nor federated anything), so the
/// name and address are free again.
pub async fn reject(svc: &Service, by: By<'_>, user_id: i64) -> Result<(), ServiceError> {
    check_moderator(by)?;
    let txn = svc.db.begin_write().await?;
    let user = waiting_user(&txn, user_id).await?;
    user_settings::Entity::delete_by_id(user.id).exec(&txn).await?;
    users::Entity::delete_by_id(user.id).exec(&txn).await?;
    accounts::Entity::delete_by_id(user.account_id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The invitation link's code: 12 URL-safe characters (72 bits), short enough to read aloud.
fn new_code() -> String {
    credentials::random_secret().chars().filter(char::is_ascii_alphanumeric).take(12).collect()
}

fn rule_view(i: &invitations::Model) -> Invitation {
    Invitation { uses: i.uses, max_uses: i.max_uses, expires_at: i.expires_at, revoked: i.revoked }
}

/// Whether the link still lets someone in.
pub fn usable(i: &invitations::Model) -> bool {
    rule_view(i).valid_at(Utc::now())
}

/// Makes an invitation link: `max_uses` people at most (`None`: no limit), valid for
/// `valid_for` (`None`: until withdrawn). `creator` is the account shown as its maker (for the
/// command line, the instance's own actor).
pub async fn invite(
    svc: &Service,
    by: By<'_>,
    creator: i64,
    max_uses: Option<i32>,
    valid_for: Option<Duration>,
) -> Result<invitations::Model, ServiceError> {
    check_moderator(by)?;
    if max_uses.is_some_and(|m| !(1..=MAX_INVITATION_USES).contains(&m)) {
        return Err(ServiceError::Unprocessable(format!("an invitation is for 1 to {MAX_INVITATION_USES} people")));
    }
    if valid_for.is_some_and(|d| d <= Duration::zero() || d > Duration::days(MAX_INVITATION_DAYS)) {
        return Err(ServiceError::Unprocessable(format!("an invitation lasts at most {MAX_INVITATION_DAYS} days")));
    }
    let now: DateTime<Utc> = coopol_db::now();
    Ok(invitations::ActiveModel {
        id: Set(coopol_core::new_id()),
        code: Set(new_code()),
        created_by: Set(creator),
        max_uses: Set(max_uses),
        uses: Set(0),
        expires_at: Set(valid_for.map(|d| now + d)),
        revoked: Set(false),
        created_at: Set(now),
    }
    .insert(&svc.db)
    .await?)
}

/// Every invitation link not withdrawn, newest first.
pub async fn invitations(svc: &Service) -> Result<Vec<invitations::Model>, ServiceError> {
    Ok(invitations::Entity::find()
        .filter(invitations::Column::Revoked.eq(false))
        .order_by_desc(invitations::Column::CreatedAt)
        .all(&svc.db)
        .await?)
}

/// The invitation whose link has this code, if any (withdrawn or not).
pub async fn invitation_by_code(svc: &Service, code: &str) -> Result<Option<invitations::Model>, ServiceError> {
    if code.len() > 64 {
        return Ok(None);
    }
    Ok(invitations::Entity::find().filter(invitations::Column::Code.eq(code)).one(&svc.db).await?)
}

/// Withdraws an invitation link (by its code): it lets nobody in any more.
pub async fn withdraw(svc: &Service, by: By<'_>, code: &str) -> Result<(), ServiceError> {
    check_moderator(by)?;
    let done = invitations::Entity::update_many()
        .col_expr(invitations::Column::Revoked, Expr::value(true))
        .filter(invitations::Column::Code.eq(code))
        .exec(&svc.db)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// The path of an invitation's sign-up page.
pub fn invitation_path(code: &str) -> String {
    format!("/invite/{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(normalize_email(" Alice@X.org ").as_deref(), Some("alice@x.org"));
        for bad in ["", "alice", "@x.org", "alice@", "a b@x.org", "a@b@c", "a@.x"] {
            assert!(normalize_email(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn codes_are_readable_and_random() {
        let (a, b) = (new_code(), new_code());
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
