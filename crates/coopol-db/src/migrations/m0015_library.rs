//! The group library: nested folders and documents per local group, each document a list of
//! versions whose bytes are content-addressed blobs (stored once by `coopol-storage`, counted
//! here by the versions that use them), the library settings of each group, and the instance's
//! named secrets (the key that signs download links).

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_library"
    }
}

const TABLES: &[Spec] = &[
    (
        "library_folders",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("parent_id", BigInt, true),
            ("name", Text, false),
            ("created_by", BigInt, true),
            ("created_at", Time, false),
            ("updated_at", Time, false),
        ],
    ),
    (
        "library_documents",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("folder_id", BigInt, true),
            ("name", Text, false),
            ("description", Text, false),
            ("current_version", Int, false),
            ("created_by", BigInt, true),
            ("created_at", Time, false),
            ("updated_at", Time, false),
        ],
    ),
    (
        "library_versions",
        &[
            ("id", Id, false),
            ("document_id", BigInt, false),
            ("number", Int, false),
            ("blob_sha256", Text, false),
            ("size", BigInt, false),
            ("media_type", Text, false),
            ("uploaded_by", BigInt, true),
            ("created_at", Time, false),
        ],
    ),
    (
        "library_blobs",
        &[
            ("sha256", TextKey, false),
            ("size", BigInt, false),
            ("media_type", Text, false),
            ("refcount", BigInt, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "library_settings",
        &[
            ("group_account_id", Id, false),
            ("add_mode", Text, false),
            ("public", Bool, false),
            ("quota_bytes", BigInt, true),
            ("updated_at", Time, false),
        ],
    ),
    ("instance_secrets", &[("name", TextKey, false), ("value", Text, false), ("created_at", Time, false)]),
];

const INDEXES: &[IndexSpec] = &[
    ("library_folders_parent", "library_folders", &["group_account_id", "parent_id"], false),
    ("library_documents_folder", "library_documents", &["group_account_id", "folder_id"], false),
    ("library_versions_number", "library_versions", &["document_id", "number"], true),
    ("library_versions_blob", "library_versions", &["blob_sha256"], false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::drop(manager, TABLES).await
    }
}
