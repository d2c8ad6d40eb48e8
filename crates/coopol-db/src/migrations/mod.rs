//! Migrations, the same on SQLite and PostgreSQL. Each migration is frozen once released:
//! change the schema with a new one, never by editing an old one.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_social;
mod m0003_statuses;
mod m0004_groups;
mod m0005_moves;
mod m0006_media_polls;
mod m0007_profile_images;
mod m0008_poll_endings;
mod m0009_events;
mod m0010_instance_software;
mod m0011_timelines;
mod m0012_counters;
mod m0013_web_sessions;
mod m0014_join_messages;
mod m0015_library;
mod m0016_admin;
mod m0017_registrations;
mod schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_social::Migration),
            Box::new(m0003_statuses::Migration),
            Box::new(m0004_groups::Migration),
            Box::new(m0005_moves::Migration),
            Box::new(m0006_media_polls::Migration),
            Box::new(m0007_profile_images::Migration),
            Box::new(m0008_poll_endings::Migration),
            Box::new(m0009_events::Migration),
            Box::new(m0010_instance_software::Migration),
            Box::new(m0011_timelines::Migration),
            Box::new(m0012_counters::Migration),
            Box::new(m0013_web_sessions::Migration),
            Box::new(m0014_join_messages::Migration),
            Box::new(m0015_library::Migration),
            Box::new(m0016_admin::Migration),
            Box::new(m0017_registrations::Migration),
        ]
    }
}
