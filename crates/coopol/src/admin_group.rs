//! `coopol admin group ...`: create a local group with its first admin, suspend one.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use coopol_core::JoinMode;
use coopol_db::groups::GROUP;
use coopol_db::{queries, Db};
use coopol_federation::actors::{self, NewGroup};

use crate::config::Config;
use crate::error::Error;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a local group (a `Group` actor anyone on the fediverse can follow).
    Create(CreateGroup),
    /// Suspend a local group: it disappears from this instance, and the servers of its
    /// followers receive its `Delete` (sent by the running server).
    Suspend {
        /// The group's name.
        name: String,
        /// Why (kept in the admin log and the group's moderation log).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lift a local group's suspension: it shows on this instance again (servers that received
    /// its `Delete` do not get it back by themselves).
    Unsuspend {
        /// The group's name.
        name: String,
        /// Why (kept in the admin log and the group's moderation log).
        #[arg(long, default_value = "")]
        reason: String,
    },
    #[command(flatten)]
    Move(crate::cli::MoveCommand),
}

#[derive(Debug, Args)]
pub struct CreateGroup {
    /// Name (its handle): 1 to 30 letters, digits or underscores.
    pub name: String,
    /// The local account that administers it (it follows the group as its admin).
    #[arg(long)]
    pub admin: String,
    /// How people join.
    #[arg(long, value_enum, default_value_t = JoinModeArg::Open)]
    pub join_mode: JoinModeArg,
    /// Private group: posts go to its people only, never announced publicly.
    #[arg(long)]
    pub private: bool,
}

/// A join mode as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JoinModeArg {
    Open,
    Approval,
    Invite,
}

impl From<JoinModeArg> for JoinMode {
    fn from(m: JoinModeArg) -> Self {
        match m {
            JoinModeArg::Open => JoinMode::Open,
            JoinModeArg::Approval => JoinMode::Approval,
            JoinModeArg::Invite => JoinMode::Invite,
        }
    }
}

pub async fn run(db: &Db, config: &Config, command: GroupCommand, out: &mut impl Write) -> Result<(), Error> {
    match command {
        GroupCommand::Create(c) => create(db, config, c, out).await,
        GroupCommand::Suspend { name, reason } => suspend(db, config, &name, true, &reason, out).await,
        GroupCommand::Unsuspend { name, reason } => suspend(db, config, &name, false, &reason, out).await,
        GroupCommand::Move(m) => crate::admin_move::run(db.clone(), config, "Group", m, out).await,
    }
}

fn write_err(e: std::io::Error) -> Error {
    Error::Io { what: "writing the output".into(), source: e }
}

async fn create(db: &Db, config: &Config, c: CreateGroup, out: &mut impl Write) -> Result<(), Error> {
    coopol_core::validate_username(&c.name).map_err(|e| Error::Usage(e.to_string()))?;
    let admin = queries::local_account(db, &c.admin)
        .await?
        .filter(|a| a.actor_type == "Person" && !a.suspended)
        .ok_or_else(|| Error::NotFound(format!("no local account named {}", c.admin)))?;
    if queries::local_account(db, &c.name).await?.is_some() {
        return Err(Error::Usage(format!("the name {} is already taken", c.name)));
    }
    let join_mode: JoinMode = c.join_mode.into();
    let new = NewGroup {
        name: &c.name,
        display_name: &c.name,
        description: "",
        rules: "",
        join_mode,
        private: c.private,
        members_visible: false,
    };
    let (group, _) = actors::create_local_group(db, &config.instance(), &new, Some(&admin))
        .await
        .map_err(|e| Error::Usage(e.to_string()))?;
    writeln!(
        out,
        "created group !{}@{} ({}{}, admin {}), actor {}",
        group.username,
        config.domain,
        join_mode.as_str(),
        if c.private { ", private" } else { "" },
        admin.username,
        group.uri
    )
    .map_err(write_err)
}

async fn suspend(
    db: &Db,
    config: &Config,
    name: &str,
    suspend: bool,
    reason: &str,
    out: &mut impl Write,
) -> Result<(), Error> {
    let group = queries::local_account(db, name)
        .await?
        .filter(|a| a.actor_type == GROUP)
        .ok_or_else(|| Error::NotFound(format!("no local group named {name}")))?;
    let service = coopol_service::Service::new(config.instance(), db.clone());
    if suspend {
        if !coopol_service::admin::suspend_group(&service, None, &group, reason).await? {
            return writeln!(out, "group {name} is already suspended").map_err(write_err);
        }
        writeln!(out, "suspended group {name}").map_err(write_err)
    } else {
        if !coopol_service::admin::unsuspend_group(&service, None, &group, reason).await? {
            return writeln!(out, "group {name} is not suspended").map_err(write_err);
        }
        writeln!(out, "unsuspended group {name}").map_err(write_err)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{AdminCommand, Cli, Command};

    use super::*;

    #[test]
    fn group_commands_parse() {
        let cli = Cli::try_parse_from([
            "coopol",
            "admin",
            "group",
            "create",
            "greens",
            "--admin",
            "mia",
            "--join-mode",
            "approval",
            "--private",
        ])
        .unwrap();
        match cli.command {
            Command::Admin { command: AdminCommand::Group { command: GroupCommand::Create(c) } } => {
                assert_eq!((c.name.as_str(), c.admin.as_str()), ("greens", "mia"));
                assert_eq!(JoinMode::from(c.join_mode), JoinMode::Approval);
                assert!(c.private);
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from(["coopol", "admin", "group", "suspend", "greens"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Admin { command: AdminCommand::Group { command: GroupCommand::Suspend { .. } } }
        ));
        let cli =
            Cli::try_parse_from(["coopol", "admin", "group", "unsuspend", "greens", "--reason", "sorted out"]).unwrap();
        match cli.command {
            Command::Admin { command: AdminCommand::Group { command: GroupCommand::Unsuspend { name, reason } } } => {
                assert_eq!((name.as_str(), reason.as_str()), ("greens", "sorted out"));
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from([
            "coopol",
            "admin",
            "group",
            "create",
            "g",
            "--admin",
            "m",
            "--join-mode",
            "closed"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["coopol", "admin", "group", "create", "g"]).is_err());
    }
}
