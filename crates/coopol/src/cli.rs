//! The command line: `coopol serve` and `coopol admin ...`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// coopol: a federated (ActivityPub) server for activists' groups, events and debates,
/// usable with any Mastodon app.
#[derive(Debug, Parser)]
#[command(name = "coopol", version, propagate_version = true)]
pub struct Cli {
    /// Configuration file [default: ./coopol.toml when it exists].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Development mode: plain http, loopback peers, quick retries. Never on a public server.
    /// Same as COOPOL_DEV=1.
    #[arg(long, global = true)]
    pub dev: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: HTTP (client API and federation) and the background workers.
    Serve,
    /// Administration of the instance (run on the server, with the same configuration).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Local accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Print a new API access token for a local account (scopes: read write follow push).
    /// Only the token is printed on standard output.
    Token {
        /// The account's username.
        name: String,
    },
    /// Servers whose activities this instance refuses.
    #[command(name = "domain-block")]
    DomainBlock {
        #[command(subcommand)]
        command: DomainBlockCommand,
    },
    /// Local groups.
    Group {
        #[command(subcommand)]
        command: crate::admin_group::GroupCommand,
    },
    /// Who may sign up, and the accounts waiting for approval.
    Registrations {
        #[command(subcommand)]
        command: crate::admin_registrations::RegistrationsCommand,
    },
    /// Invitation links to sign up.
    Invite {
        #[command(subcommand)]
        command: crate::admin_registrations::InviteCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a local account that can log in.
    Create(CreateAccount),
    /// List local accounts.
    List,
    /// Delete a local account: its posts are removed, it can no longer log in, and the servers
    /// that know it receive `Delete(Person)` (sent by the running server).
    Delete {
        /// Username of the local account.
        name: String,
        /// Confirm: deletion cannot be undone.
        #[arg(long)]
        yes: bool,
        /// Why (kept in the admin log).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Suspend a local account: it can no longer sign in nor use its tokens; its posts and
    /// follows are kept, and `unsuspend` brings it back.
    Suspend {
        /// Username of the local account.
        name: String,
        /// Why (kept in the admin log and shown in the panel).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lift the suspension of a local account.
    Unsuspend {
        /// Username of the local account.
        name: String,
        /// Why (kept in the admin log).
        #[arg(long, default_value = "")]
        reason: String,
    },
    #[command(flatten)]
    Move(MoveCommand),
}

/// Moving an actor (a local account or group) to another instance, as Mastodon's account
/// migration: `alias` on the new instance, then `move` on the old one; `export` and `import`
/// carry its content over.
#[derive(Debug, Subcommand)]
pub enum MoveCommand {
    /// Declare, on the NEW actor, the old actor it comes from (`alsoKnownAs`): needed before
    /// the old one can move here. `--remove` takes an alias back.
    Alias {
        /// The local (new) actor's name.
        name: String,
        /// The old actor: NAME@DOMAIN or its actor URL.
        #[arg(long, value_name = "OLDNAME@OLDDOMAIN", required_unless_present = "remove")]
        add: Option<String>,
        /// An alias to take back: NAME@DOMAIN or its actor URL.
        #[arg(long, value_name = "OLDNAME@OLDDOMAIN", conflicts_with = "add")]
        remove: Option<String>,
    },
    /// Move the local (old) actor to a new one, which must already declare it as an alias: its
    /// followers' servers are sent `Move` and follow the new actor.
    Move {
        /// The local (old) actor's name.
        name: String,
        /// The new actor: NAME@DOMAIN or its actor URL.
        #[arg(long, value_name = "NEWNAME@NEWDOMAIN")]
        to: String,
    },
    /// Write the actor's portable archive (profile, posts, followers, members) to a JSON file.
    Export {
        /// The local actor's name.
        name: String,
        /// Where to write the archive.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Import an archive into a local actor (by default the one with the archive's name): its
    /// posts, its followers and members (accepted back when they follow), and the alias.
    Import {
        /// The archive file written by `export`.
        file: PathBuf,
        /// The local actor to import into, if its name differs from the archive's.
        #[arg(long, value_name = "NAME")]
        into: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CreateAccount {
    /// Username: 1 to 30 letters, digits or underscores.
    pub name: String,
    /// E-mail address, used to log in.
    #[arg(long)]
    pub email: String,
    /// Password (at least 8 characters). Prefer COOPOL_PASSWORD, which stays out of the
    /// shell history and the process list.
    #[arg(long, env = "COOPOL_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Role on this instance.
    #[arg(long, value_enum, default_value_t = RoleArg::User)]
    pub role: RoleArg,
}

/// A role as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Moderator,
    User,
}

impl From<RoleArg> for coopol_core::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => coopol_core::Role::Admin,
            RoleArg::Moderator => coopol_core::Role::Moderator,
            RoleArg::User => coopol_core::Role::User,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DomainBlockCommand {
    /// Refuse every activity from a server (`host` or `host:port`).
    Add {
        /// The server's domain, e.g. `spam.example`.
        domain: String,
        /// Why (kept in the admin log and shown in the list).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lift a block.
    Remove {
        /// The server's domain.
        domain: String,
    },
    /// List blocked servers.
    List,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse() {
        let cli = Cli::try_parse_from(["coopol", "serve", "--dev"]).unwrap();
        assert!(cli.dev);
        assert!(matches!(cli.command, Command::Serve));

        let cli = Cli::try_parse_from([
            "coopol",
            "admin",
            "account",
            "create",
            "alice",
            "--email",
            "a@x.org",
            "--password",
            "secretpass1",
            "--role",
            "admin",
        ])
        .unwrap();
        match cli.command {
            Command::Admin { command: AdminCommand::Account { command: AccountCommand::Create(c) } } => {
                assert_eq!(c.name, "alice");
                assert_eq!(c.email, "a@x.org");
                assert_eq!(c.role, RoleArg::Admin);
            }
            other => panic!("{other:?}"),
        }

        let cli = Cli::try_parse_from([
            "coopol",
            "--config",
            "/etc/coopol.toml",
            "admin",
            "domain-block",
            "add",
            "x.example",
        ])
        .unwrap();
        assert_eq!(cli.config, Some(PathBuf::from("/etc/coopol.toml")));
        assert!(matches!(
            cli.command,
            Command::Admin { command: AdminCommand::DomainBlock { command: DomainBlockCommand::Add { .. } } }
        ));
        let cli =
            Cli::try_parse_from(["coopol", "admin", "group", "move", "paris", "--to", "paris@new.example"]).unwrap();
        match cli.command {
            Command::Admin {
                command:
                    AdminCommand::Group { command: crate::admin_group::GroupCommand::Move(MoveCommand::Move { name, to }) },
            } => {
                assert_eq!((name.as_str(), to.as_str()), ("paris", "paris@new.example"));
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from(["coopol", "admin", "account", "import", "/tmp/a.json", "--into", "x"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Admin {
                command: AdminCommand::Account { command: AccountCommand::Move(MoveCommand::Import { .. }) }
            }
        ));
        assert!(Cli::try_parse_from(["coopol", "admin", "group", "alias", "paris"]).is_err(), "--add is required");
        assert!(
            Cli::try_parse_from(["coopol", "admin", "group", "alias", "paris", "--remove", "p@old.example"]).is_ok(),
            "--remove alone"
        );
        assert!(
            Cli::try_parse_from(["coopol", "admin", "group", "alias", "paris", "--add", "a@b.c", "--remove", "d@e.f"])
                .is_err(),
            "--add or --remove, not both"
        );
        assert!(Cli::try_parse_from([
            "coopol",
            "admin",
            "account",
            "create",
            "bob",
            "--email",
            "b@x.org",
            "--password",
            "p",
            "--role",
            "king"
        ])
        .is_err());
    }
}
