//! The table-spec builder the early migrations share: tables as lists of (column, kind,
//! nullable) and indexes as (name, table, columns, unique), created and dropped the same way
//! on SQLite and PostgreSQL. It only builds what each migration lists, so a migration's schema
//! stays what it was when it was released.

use sea_orm_migration::prelude::*;

/// Column kinds of the table specs.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Primary key, 64-bit, set by the application.
    Id,
    /// Primary key, text.
    TextKey,
    BigInt,
    Int,
    Text,
    Bool,
    Time,
}

/// A table: its name and its columns (name, kind, nullable).
pub type Spec = (&'static str, &'static [(&'static str, Kind, bool)]);

/// An index: its name, table, columns and whether it is unique.
pub type IndexSpec = (&'static str, &'static str, &'static [&'static str], bool);

fn column(name: &str, kind: Kind, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(Alias::new(name));
    match kind {
        Kind::Id => c.big_integer().primary_key(),
        Kind::TextKey => c.text().primary_key(),
        Kind::BigInt => c.big_integer(),
        Kind::Int => c.integer(),
        Kind::Text => c.text(),
        Kind::Bool => c.boolean(),
        Kind::Time => c.timestamp_with_time_zone(),
    };
    if nullable {
        c.null();
    } else {
        c.not_null();
    }
    c
}

/// Creates the tables, then the indexes (each only if it does not exist yet).
pub async fn create(manager: &SchemaManager<'_>, tables: &[Spec], indexes: &[IndexSpec]) -> Result<(), DbErr> {
    for (table, columns) in tables {
        let mut t = Table::create();
        t.table(Alias::new(*table)).if_not_exists();
        for (name, kind, nullable) in columns.iter() {
            t.col(column(name, *kind, *nullable));
        }
        manager.create_table(t).await?;
    }
    for (name, table, columns, unique) in indexes {
        let mut i = Index::create();
        i.name(*name).table(Alias::new(*table)).if_not_exists();
        for c in columns.iter() {
            i.col(Alias::new(*c));
        }
        if *unique {
            i.unique();
        }
        manager.create_index(i).await?;
    }
    Ok(())
}

/// Drops the tables, last created first.
pub async fn drop(manager: &SchemaManager<'_>, tables: &[Spec]) -> Result<(), DbErr> {
    for (table, _) in tables.iter().rev() {
        manager.drop_table(Table::drop().table(Alias::new(*table)).to_owned()).await?;
    }
    Ok(())
}
