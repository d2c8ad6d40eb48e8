//! `coopol admin registrations ...` and `coopol admin invite ...`: who may sign up, invitation
//! links, and the accounts that wait for approval. The same workflows as the admin panel's
//! (`coopol_service::registrations`).

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use coopol_core::RegistrationMode;
use coopol_db::{queries, Db};
use coopol_service::registrations::{self, By};
use coopol_service::Service;

use crate::admin::write_err;
use crate::config::Config;
use crate::error::Error;

#[derive(Debug, Subcommand)]
pub enum RegistrationsCommand {
    /// Print who may sign up now.
    Show,
    /// Set who may sign up: closed (accounts are made by the admin), invite (invitation links
    /// only), approval (anyone may ask; an admin or moderator approves), open.
    Set {
        #[arg(value_enum)]
        mode: ModeArg,
    },
    /// List the accounts that wait for approval, with the reason each gave.
    Pending,
    /// Approve a waiting account: its person can sign in.
    Approve {
        /// Its username.
        name: String,
    },
    /// Reject a waiting account: it is removed and its name is free again.
    Reject {
        /// Its username.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Closed,
    Invite,
    Approval,
    Open,
}

impl From<ModeArg> for RegistrationMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Closed => RegistrationMode::Closed,
            ModeArg::Invite => RegistrationMode::Invite,
            ModeArg::Approval => RegistrationMode::Approval,
            ModeArg::Open => RegistrationMode::Open,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Make an invitation link and print it.
    Create {
        /// How many people may sign up with it (default: no limit).
        #[arg(long)]
        uses: Option<i32>,
        /// How many days it works (default: until withdrawn).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List the invitation links not withdrawn.
    List,
    /// Withdraw an invitation link: nobody can sign up with it any more.
    Withdraw {
        /// The code at the end of the link.
        code: String,
    },
}

fn mode_sentence(mode: RegistrationMode) -> &'static str {
    match mode {
        RegistrationMode::Closed => "closed: accounts are created by the admin",
        RegistrationMode::Invite => "invite: people sign up with an invitation link",
        RegistrationMode::Approval => "approval: anyone may ask for an account; an admin or moderator approves it",
        RegistrationMode::Open => "open: anyone may sign up",
    }
}

pub async fn registrations(
    db: Db,
    config: &Config,
    command: RegistrationsCommand,
    out: &mut impl Write,
) -> Result<(), Error> {
    let svc = Service::new(config.instance(), db);
    match command {
        RegistrationsCommand::Show => {
            writeln!(out, "{}", mode_sentence(registrations::mode(&svc).await?)).map_err(write_err)
        }
        RegistrationsCommand::Set { mode } => {
            registrations::set_mode(&svc, mode.into()).await?;
            writeln!(out, "registrations are now {}", mode_sentence(mode.into())).map_err(write_err)
        }
        RegistrationsCommand::Pending => {
            for w in registrations::waiting(&svc).await? {
                let reason = w.user.sign_up_reason.unwrap_or_default();
                writeln!(
                    out,
                    "{}  {}  {}  {reason}",
                    w.account.username,
                    w.user.email,
                    w.user.created_at.format("%Y-%m-%d %H:%M UTC")
                )
                .map_err(write_err)?;
            }
            Ok(())
        }
        RegistrationsCommand::Approve { name } => {
            let user = waiting_user(&svc, &name).await?;
            registrations::approve(&svc, By::CommandLine, user).await?;
            writeln!(out, "approved {name}: they can sign in").map_err(write_err)
        }
        RegistrationsCommand::Reject { name } => {
            let user = waiting_user(&svc, &name).await?;
            registrations::reject(&svc, By::CommandLine, user).await?;
            writeln!(out, "rejected {name}: the account is removed").map_err(write_err)
        }
    }
}

/// The user id of the local account `name`, which must be waiting for approval.
async fn waiting_user(svc: &Service, name: &str) -> Result<i64, Error> {
    let name = name.trim_start_matches('@');
    let account = queries::local_account(&svc.db, name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no local account named {name}")))?;
    match queries::user_by_account(&svc.db, account.id).await? {
        Some(u) if !u.approved => Ok(u.id),
        _ => Err(Error::Usage(format!("{name} is not waiting for approval"))),
    }
}

pub async fn invite(db: Db, config: &Config, command: InviteCommand, out: &mut impl Write) -> Result<(), Error> {
    let svc = Service::new(config.instance(), db);
    let base = svc.config.base_url();
    match command {
        InviteCommand::Create { uses, days } => {
            // The link shows the instance itself as its maker.
            let creator = coopol_federation::actors::ensure_instance_actor(&svc.db, &svc.config).await?;
            let valid_for = days.map(chrono::Duration::days);
            let i = registrations::invite(&svc, By::CommandLine, creator.id, uses, valid_for).await?;
            writeln!(out, "{base}{}", registrations::invitation_path(&i.code)).map_err(write_err)
        }
        InviteCommand::List => {
            for i in registrations::invitations(&svc).await? {
                let uses = match i.max_uses {
                    Some(m) => format!("{}/{m} used", i.uses),
                    None => format!("{} used", i.uses),
                };
                let expiry = match i.expires_at {
                    Some(t) => format!("until {}", t.format("%Y-%m-%d %H:%M UTC")),
                    None => "no expiry".into(),
                };
                let state = if registrations::usable(&i) { "" } else { "  (no longer works)" };
                writeln!(out, "{base}{}  {uses}  {expiry}{state}", registrations::invitation_path(&i.code))
                    .map_err(write_err)?;
            }
            Ok(())
        }
        InviteCommand::Withdraw { code } => {
            let code = code.rsplit('/').next().unwrap_or(&code).to_string();
            registrations::withdraw(&svc, By::CommandLine, &code).await?;
            writeln!(out, "withdrew the invitation {code}").map_err(write_err)
        }
    }
}
